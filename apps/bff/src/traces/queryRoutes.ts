import {
  type TraceNamesResponse,
  type TraceResponse,
  type TracesResponse,
  parseQuery,
  resolveTimeRange,
  tracesQuerySchema,
} from '@meshlens/contract';
import { BackendError, type TraceSearch, type TraceSource } from '@meshlens/telemetry';
import type { Router } from 'express';
import { HttpError, InvalidInputError, NotFoundError } from '../httpErrors';
import { normalizeId } from './ids';

export interface TraceQueryDeps {
  traceSource: TraceSource;
  now: () => number;
}

/**
 * A trace backend failure reaches the SPA as 502 `backend_error` with the backend's own
 * description (`tempo at https://...: 401 Unauthorized`): that is what the operator must fix, and
 * it holds no credentials. Other errors keep the generic 500 path.
 */
async function fromBackend<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof BackendError) {
      const e = new HttpError(502, 'backend_error', err.message);
      e.cause = err;
      throw e;
    }
    throw err;
  }
}

/** GET routes of the trace API; the same for the memory, Jaeger and Tempo sources. */
export function traceQueryRoutes(router: Router, deps: TraceQueryDeps): void {
  const source = deps.traceSource;

  router.get('/api/v1/traces', async (req, res) => {
    const parsed = parseQuery(tracesQuerySchema, req.query);
    if (!parsed.ok) throw new InvalidInputError(parsed.error.message, parsed.error.parameter);
    const { window: _w, from: _f, to: _t, ...filters } = parsed.value;
    const q = parsed.value;
    const timed = q.window !== undefined || q.from !== undefined;
    const range = timed ? resolveTimeRange(q, deps.now()) : undefined;
    const search: TraceSearch = range ? { ...filters, from: range.from, to: range.to } : filters;
    const traces = await fromBackend(() => source.search(search));
    const body: TracesResponse = { generatedAt: deps.now(), traces };
    if (range) body.window = range;
    res.json(body);
  });

  router.get('/api/v1/traces/services', async (_req, res) => {
    const names = await fromBackend(() => source.services());
    const body: TraceNamesResponse = { generatedAt: deps.now(), names };
    res.json(body);
  });

  router.get('/api/v1/traces/services/:service/operations', async (req, res) => {
    const service = req.params.service;
    if (service === '' || service.length > 253)
      throw new InvalidInputError('parameter service: must be 1-253 characters', 'service');
    const names = await fromBackend(() => source.operations(service));
    const body: TraceNamesResponse = { generatedAt: deps.now(), names };
    res.json(body);
  });

  router.get('/api/v1/traces/:traceId', async (req, res) => {
    const id = normalizeId(req.params.traceId, 16);
    if (!id)
      throw new InvalidInputError(
        'parameter traceId: must be 32 hex digits (or base64)',
        'traceId',
      );
    const found = await fromBackend(() => source.trace(id));
    if (!found) {
      const where =
        source.kind === 'memory' ? ' (never received or evicted)' : ` in ${source.kind}`;
      throw new NotFoundError(`trace ${id} not found${where}`);
    }
    const body: TraceResponse = {
      generatedAt: deps.now(),
      summary: found.summary,
      trace: { traceId: id, spans: found.spans },
    };
    res.json(body);
  });
}
