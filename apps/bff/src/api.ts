import {
  type ResourceKind,
  type StatusResponse,
  edgesQuerySchema,
  histogramQuerySchema,
  parseQuery,
  queryKey,
  routesQuerySchema,
  statQuerySchema,
  timeseriesQuerySchema,
  topologyQuerySchema,
} from '@meshlens/contract';
import {
  NotFoundError as SourceNotFoundError,
  type TelemetrySource,
  type TraceSource,
} from '@meshlens/telemetry';
import type { Request, Router } from 'express';
import type { z } from 'zod';
import type { ControlPlaneView } from './controlPlane';
import type { ProcessesView } from './processes';
import { HttpError, InvalidInputError, NotFoundError, UnavailableError } from './httpErrors';
import type { TraceStore } from './traces/store';
import type { ViewCache } from './viewCache';

export interface ApiDeps {
  source: TelemetrySource;
  cache: ViewCache;
  traces: TraceStore;
  /** reported in /api/v1/status errors when its backend fails */
  traceSource?: TraceSource;
  controlPlane: ControlPlaneView;
  processes: ProcessesView;
  version: string;
  now: () => number;
}

function parse<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const r = parseQuery(schema, req.query);
  if (!r.ok) throw new InvalidInputError(r.error.message, r.error.parameter);
  return r.value;
}

/** Source failures become 503 with a generic message; details go to the log via the cause. */
async function ask<T>(compute: () => Promise<T>): Promise<T> {
  try {
    return await compute();
  } catch (err) {
    if (err instanceof HttpError) throw err;
    if (err instanceof SourceNotFoundError) throw new NotFoundError(err.message);
    const e = new UnavailableError(
      'the telemetry source cannot answer right now; see /api/v1/status',
    );
    e.cause = err;
    throw e;
  }
}

/** Data older than this many tick intervals is stale. */
const STALE_TICKS = 3;
const DEFAULT_TICK_MS = 15_000;

export function statusOf(deps: ApiDeps): StatusResponse {
  const now = deps.now();
  const source = deps.source.status();
  const interval = source.tickIntervalMs ?? DEFAULT_TICK_MS;
  const stale =
    !source.healthy ||
    source.lastTickMs === null ||
    now - source.lastTickMs > STALE_TICKS * interval;
  const errors = source.lastError
    ? [{ component: `source:${source.kind}`, message: source.lastError }]
    : [];
  // a failing trace backend (Jaeger, Tempo) as of its last request
  const traces = deps.traceSource?.status();
  if (traces && !traces.healthy && traces.lastError !== null)
    errors.push({ component: `traces:${traces.kind}`, message: traces.lastError });
  return {
    generatedAt: now,
    version: deps.version,
    source,
    stale,
    errors,
    traces: deps.traces.size(),
  };
}

export function apiRoutes(router: Router, deps: ApiDeps): void {
  const { source, cache } = deps;
  const cached = <T>(view: string, q: Readonly<Record<string, unknown>>, f: () => Promise<T>) =>
    ask(() => cache.get(queryKey(view, q), f));

  /** 404 for resources never seen in the retention window (1h), not for idle ones. */
  async function ensureExists(kind: ResourceKind, namespace: string | undefined, name: string) {
    const q = { kind, window: '1h' as const, ...(kind === 'namespace' ? {} : { namespace }) };
    const known = await cached('stat', q, () => source.stat(q));
    const found = known.rows.some(
      (r) =>
        r.name === name &&
        (kind === 'namespace' || namespace === undefined || r.namespace === namespace),
    );
    if (!found) {
      const where =
        kind === 'namespace' || namespace === undefined
          ? ''
          : ` in namespace ${JSON.stringify(namespace)}`;
      throw new NotFoundError(`${kind} ${JSON.stringify(name)}${where} not found`);
    }
  }

  router.get('/api/v1/stat', async (req, res) => {
    const q = parse(statQuerySchema, req);
    if (q.name !== undefined) await ensureExists(q.kind, q.namespace, q.name);
    res.json(await cached('stat', q, () => source.stat(q)));
  });
  router.get('/api/v1/edges', async (req, res) => {
    const q = parse(edgesQuerySchema, req);
    if (q.name !== undefined) await ensureExists(q.kind, q.namespace, q.name);
    res.json(await cached('edges', q, () => source.edges(q)));
  });
  router.get('/api/v1/topology', async (req, res) => {
    const q = parse(topologyQuerySchema, req);
    res.json(await cached('topology', q, () => source.topology(q)));
  });
  router.get('/api/v1/timeseries', async (req, res) => {
    const q = parse(timeseriesQuerySchema, req);
    await ensureExists(q.kind, q.namespace, q.name);
    res.json(await cached('timeseries', q, () => source.timeseries(q)));
  });
  router.get('/api/v1/histogram', async (req, res) => {
    const q = parse(histogramQuerySchema, req);
    await ensureExists(q.kind, q.namespace, q.name);
    res.json(await cached('histogram', q, () => source.histogram(q)));
  });
  router.get('/api/v1/namespaces', async (_req, res) => {
    res.json(await cached('namespaces', {}, () => source.namespaces()));
  });
  router.get('/api/v1/routes', async (req, res) => {
    const q = parse(routesQuerySchema, req);
    await ensureExists('service', q.namespace, q.name);
    res.json(await cached('routes', q, () => source.routes(q)));
  });
  router.get('/api/v1/history', async (_req, res) => {
    res.json(await cached('history', {}, () => source.history()));
  });
  router.get('/api/v1/targets', async (_req, res) => {
    res.json(await cached('targets', {}, () => source.targets()));
  });
  router.get('/api/v1/status', (_req, res) => {
    res.json(statusOf(deps));
  });
  router.get('/api/v1/controlplane', async (_req, res) => {
    res.json(await deps.controlPlane());
  });
  router.get('/api/v1/processes', async (_req, res) => {
    res.json(await deps.processes());
  });
}
