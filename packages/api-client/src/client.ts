// The one typed client of the BFF, shared by the SPA and the CLI: every response is parsed with
// the contract's zod schema, every call has a timeout, and streams (tap) come as typed events.
import {
  controlPlaneResponseSchema,
  diagnosisResponseSchema,
  historyResponseSchema,
  routesResponseSchema,
  processesResponseSchema,
  edgesResponseSchema,
  histogramResponseSchema,
  namespacesResponseSchema,
  statResponseSchema,
  statusResponseSchema,
  targetsResponseSchema,
  timeseriesResponseSchema,
  topologyResponseSchema,
  traceResponseSchema,
  tracesResponseSchema,
  type ControlPlaneResponse,
  type DiagnosisResponse,
  type HistoryResponse,
  type RoutesResponse,
  type ProcessesResponse,
  type EdgesResponse,
  type HistogramResponse,
  type NamespacesResponse,
  type StatResponse,
  type StatusResponse,
  type TargetsResponse,
  type TimeseriesResponse,
  type TopologyResponse,
  type TraceResponse,
  type TracesResponse,
} from '@meshlens/contract';
import type { z } from 'zod';
import { ApiError, errorFrom, isAbort } from './errors';
import { openTap, type TapHandlers } from './tap';

export type QueryParams = Record<string, string | number | boolean | undefined>;

export interface ApiClient {
  /** any GET of the API, parsed with the given contract schema */
  get<S extends z.ZodType>(
    path: string,
    q: QueryParams,
    schema: S,
    signal?: AbortSignal,
  ): Promise<z.infer<S>>;
  stat(q: QueryParams, signal?: AbortSignal): Promise<StatResponse>;
  edges(q: QueryParams, signal?: AbortSignal): Promise<EdgesResponse>;
  topology(q: QueryParams, signal?: AbortSignal): Promise<TopologyResponse>;
  timeseries(q: QueryParams, signal?: AbortSignal): Promise<TimeseriesResponse>;
  histogram(q: QueryParams, signal?: AbortSignal): Promise<HistogramResponse>;
  namespaces(signal?: AbortSignal): Promise<NamespacesResponse>;
  targets(signal?: AbortSignal): Promise<TargetsResponse>;
  status(signal?: AbortSignal): Promise<StatusResponse>;
  traces(q: QueryParams, signal?: AbortSignal): Promise<TracesResponse>;
  trace(traceId: string, signal?: AbortSignal): Promise<TraceResponse>;
  controlPlane(signal?: AbortSignal): Promise<ControlPlaneResponse>;
  /** how far back the source answers (the replay slider's range) */
  history(signal?: AbortSignal): Promise<HistoryResponse>;
  /** per-route golden signals of a service */
  routes(q: QueryParams, signal?: AbortSignal): Promise<RoutesResponse>;
  /** per data source: reachable or how it failed, mesh metric families and labels found */
  diagnosis(signal?: AbortSignal): Promise<DiagnosisResponse>;
  /** the npm start supervisor's processes and restarts */
  processes(signal?: AbortSignal): Promise<ProcessesResponse>;
  /** GET /api/v1/tap: resolves when the stream ends (abort `signal` to stop it) */
  tap(q: QueryParams, handlers: TapHandlers, signal?: AbortSignal): Promise<void>;
}

export interface ApiClientOptions {
  /** '' or '/prefix' (same origin, the SPA) or 'http://host:port/prefix' (the CLI) */
  baseUrl: string;
  fetch?: typeof fetch;
  /** sent as `Authorization: Bearer` (the CLI; the browser uses the cookie) */
  token?: string | undefined;
  /** per request, until the response headers of a stream (default 10 s) */
  timeoutMs?: number;
}

export function buildQueryString(q: QueryParams): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === '') continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}

function causeOf(err: unknown): string {
  if (err instanceof Error) {
    const cause: unknown = err.cause;
    return cause instanceof Error ? cause.message : err.message;
  }
  return String(err);
}

function unreachable(baseUrl: string, err: unknown): ApiError {
  const e = new ApiError(
    baseUrl === '' || baseUrl.startsWith('/')
      ? 'The dashboard server is unreachable'
      : `The dashboard server at ${baseUrl} is unreachable`,
    0,
    'unavailable',
  );
  e.detail = causeOf(err);
  return e;
}

export function createApiClient(opts: ApiClientOptions): ApiClient {
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init));
  const base = opts.baseUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const headers = (accept: string): Record<string, string> => ({
    accept,
    ...(opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` }),
  });

  /** A signal that fires on the caller's abort or after the timeout (until `done`). */
  function deadline(signal: AbortSignal | undefined): { signal: AbortSignal; done(): void } {
    const ctl = new AbortController();
    const timer = setTimeout(
      () => ctl.abort(new DOMException('the dashboard did not answer in time', 'TimeoutError')),
      timeoutMs,
    );
    const onAbort = () => ctl.abort(signal?.reason);
    if (signal?.aborted === true) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    return {
      signal: ctl.signal,
      done: () => {
        clearTimeout(timer);
      },
    };
  }

  async function send(path: string, accept: string, signal?: AbortSignal): Promise<Response> {
    const d = deadline(signal);
    try {
      const res = await doFetch(base + path, { headers: headers(accept), signal: d.signal });
      if (!res.ok) throw await errorFrom(res);
      return res;
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (signal?.aborted === true) throw err;
      if (isAbort(err)) {
        throw new ApiError(`The dashboard did not answer within ${timeoutMs} ms`, 0, 'timeout');
      }
      throw unreachable(opts.baseUrl, err);
    } finally {
      d.done();
    }
  }

  async function get<S extends z.ZodType>(
    path: string,
    q: QueryParams,
    schema: S,
    signal?: AbortSignal,
  ): Promise<z.infer<S>> {
    const res = await send(path + buildQueryString(q), 'application/json', signal);
    const body: unknown = await res.json();
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ApiError(`Unexpected response from ${path}: ${parsed.error.message}`, res.status);
    }
    return parsed.data;
  }

  return {
    get,
    stat: (q, s) => get('/api/v1/stat', q, statResponseSchema, s),
    edges: (q, s) => get('/api/v1/edges', q, edgesResponseSchema, s),
    topology: (q, s) => get('/api/v1/topology', q, topologyResponseSchema, s),
    timeseries: (q, s) => get('/api/v1/timeseries', q, timeseriesResponseSchema, s),
    histogram: (q, s) => get('/api/v1/histogram', q, histogramResponseSchema, s),
    namespaces: (s) => get('/api/v1/namespaces', {}, namespacesResponseSchema, s),
    targets: (s) => get('/api/v1/targets', {}, targetsResponseSchema, s),
    status: (s) => get('/api/v1/status', {}, statusResponseSchema, s),
    traces: (q, s) => get('/api/v1/traces', q, tracesResponseSchema, s),
    trace: (id, s) => get(`/api/v1/traces/${encodeURIComponent(id)}`, {}, traceResponseSchema, s),
    controlPlane: (s) => get('/api/v1/controlplane', {}, controlPlaneResponseSchema, s),
    diagnosis: (s) => get('/api/v1/diagnosis', {}, diagnosisResponseSchema, s),
    history: (s) => get('/api/v1/history', {}, historyResponseSchema, s),
    routes: (q, s) => get('/api/v1/routes', q, routesResponseSchema, s),
    processes: (s) => get('/api/v1/processes', {}, processesResponseSchema, s),
    tap: async (q, handlers, signal) => {
      const res = await send(`/api/v1/tap${buildQueryString(q)}`, 'text/event-stream', signal);
      await openTap(res, handlers, signal);
    },
  };
}
