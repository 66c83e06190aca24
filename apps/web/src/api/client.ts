// The typed BFF client: every response is parsed with the contract's zod schema, so a view
// only ever sees data of the declared shape. Components never call this directly: the
// features' use*Query hooks do.
import {
  controlPlaneResponseSchema,
  edgesResponseSchema,
  errorResponseSchema,
  histogramResponseSchema,
  routesResponseSchema,
  historyResponseSchema,
  namespacesResponseSchema,
  statResponseSchema,
  statusResponseSchema,
  targetsResponseSchema,
  timeseriesResponseSchema,
  topologyResponseSchema,
  traceResponseSchema,
  tracesResponseSchema,
  type ControlPlaneResponse,
  type EdgesResponse,
  type HistogramResponse,
  type RoutesResponse,
  type HistoryResponse,
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
import { withBase } from '../lib/basePath';

export type QueryParams = Record<string, string | number | boolean | undefined>;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly parameter: string | undefined;
  constructor(message: string, status: number, code?: string, parameter?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.parameter = parameter;
  }
}

export interface ApiClient {
  stat(q: QueryParams, signal?: AbortSignal): Promise<StatResponse>;
  edges(q: QueryParams, signal?: AbortSignal): Promise<EdgesResponse>;
  topology(q: QueryParams, signal?: AbortSignal): Promise<TopologyResponse>;
  timeseries(q: QueryParams, signal?: AbortSignal): Promise<TimeseriesResponse>;
  histogram(q: QueryParams, signal?: AbortSignal): Promise<HistogramResponse>;
  namespaces(signal?: AbortSignal): Promise<NamespacesResponse>;
  history(signal?: AbortSignal): Promise<HistoryResponse>;
  routes(q: QueryParams, signal?: AbortSignal): Promise<RoutesResponse>;
  targets(signal?: AbortSignal): Promise<TargetsResponse>;
  status(signal?: AbortSignal): Promise<StatusResponse>;
  traces(q: QueryParams, signal?: AbortSignal): Promise<TracesResponse>;
  trace(traceId: string, signal?: AbortSignal): Promise<TraceResponse>;
  controlPlane(signal?: AbortSignal): Promise<ControlPlaneResponse>;
}

export interface ApiClientOptions {
  basePath: string;
  fetch?: typeof fetch;
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

async function errorFrom(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const parsed = errorResponseSchema.safeParse(body);
  if (parsed.success) {
    const e = parsed.data.error;
    return new ApiError(e.message, res.status, e.code, e.parameter);
  }
  return new ApiError(`HTTP ${res.status} ${res.statusText}`.trim(), res.status);
}

export function createApiClient(opts: ApiClientOptions): ApiClient {
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init));

  async function get<S extends z.ZodType>(
    path: string,
    q: QueryParams,
    schema: S,
    signal?: AbortSignal,
  ): Promise<z.infer<S>> {
    const url = withBase(opts.basePath, path) + buildQueryString(q);
    let res: Response;
    try {
      res = await doFetch(url, {
        headers: { accept: 'application/json' },
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError('The dashboard server is unreachable', 0, 'unavailable');
    }
    if (!res.ok) throw await errorFrom(res);
    const body: unknown = await res.json();
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ApiError(`Unexpected response from ${path}: ${parsed.error.message}`, res.status);
    }
    return parsed.data;
  }

  return {
    stat: (q, s) => get('/api/v1/stat', q, statResponseSchema, s),
    edges: (q, s) => get('/api/v1/edges', q, edgesResponseSchema, s),
    topology: (q, s) => get('/api/v1/topology', q, topologyResponseSchema, s),
    timeseries: (q, s) => get('/api/v1/timeseries', q, timeseriesResponseSchema, s),
    histogram: (q, s) => get('/api/v1/histogram', q, histogramResponseSchema, s),
    namespaces: (s) => get('/api/v1/namespaces', {}, namespacesResponseSchema, s),
    history: (s) => get('/api/v1/history', {}, historyResponseSchema, s),
    routes: (q, s) => get('/api/v1/routes', q, routesResponseSchema, s),
    targets: (s) => get('/api/v1/targets', {}, targetsResponseSchema, s),
    status: (s) => get('/api/v1/status', {}, statusResponseSchema, s),
    traces: (q, s) => get('/api/v1/traces', q, tracesResponseSchema, s),
    trace: (id, s) => get(`/api/v1/traces/${encodeURIComponent(id)}`, {}, traceResponseSchema, s),
    controlPlane: (s) => get('/api/v1/controlplane', {}, controlPlaneResponseSchema, s),
  };
}
