import {
  type ErrorResponse,
  edgesQuerySchema,
  parseQuery,
  queryKey,
  statQuerySchema,
  streamQuerySchema,
  topologyQuerySchema,
} from '@meshlens/contract';
import type { RequestHandler, Response, Router } from 'express';
import type { ApiDeps } from './api';
import { HttpError, InvalidInputError } from './httpErrors';

export interface StreamDeps extends ApiDeps {
  originCheck: RequestHandler;
  status: () => unknown;
  /** concurrent streams allowed (default 64) */
  maxStreams?: number;
  /** comment line sent to keep proxies from closing idle streams (default 15 s) */
  heartbeatMs?: number;
}

type Compute = () => Promise<unknown>;

function parseOrThrow<T>(
  r: { ok: true; value: T } | { ok: false; error: { message: string; parameter: string } },
): T {
  if (!r.ok) throw new InvalidInputError(r.error.message, r.error.parameter);
  return r.value;
}

/** The query of the stream's view, computed through the same per-tick cache as the GET endpoints. */
function viewCompute(
  deps: StreamDeps,
  query: Record<string, unknown>,
): { view: string; compute: Compute } {
  const { view } = parseOrThrow(parseQuery(streamQuerySchema, { view: query.view }));
  const rest = { ...query };
  delete rest.view;
  const { source, cache } = deps;
  switch (view) {
    case 'stat': {
      const q = parseOrThrow(parseQuery(statQuerySchema, rest));
      return { view, compute: () => cache.get(queryKey('stat', q), () => source.stat(q)) };
    }
    case 'edges': {
      const q = parseOrThrow(parseQuery(edgesQuerySchema, rest));
      return { view, compute: () => cache.get(queryKey('edges', q), () => source.edges(q)) };
    }
    case 'topology': {
      const q = parseOrThrow(parseQuery(topologyQuerySchema, rest));
      return { view, compute: () => cache.get(queryKey('topology', q), () => source.topology(q)) };
    }
    case 'namespaces':
      return {
        view,
        compute: () => cache.get(queryKey('namespaces', {}), () => source.namespaces()),
      };
    case 'status':
      return { view, compute: () => Promise.resolve(deps.status()) };
  }
}

function send(res: Response, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * GET /api/v1/stream?view=stat&kind=...: server-sent events, one `event: <view>` per source tick.
 * Returns a closer that ends every open stream (graceful shutdown).
 */
export function streamRoutes(router: Router, deps: StreamDeps): { close(): void } {
  const open = new Set<() => void>();
  const max = deps.maxStreams ?? 64;
  const heartbeatMs = deps.heartbeatMs ?? 15_000;

  router.get('/api/v1/stream', deps.originCheck, (req, res) => {
    const { view, compute } = viewCompute(deps, { ...req.query });
    if (open.size >= max) throw new HttpError(503, 'unavailable', 'too many open streams');
    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();

    let busy = false;
    const push = () => {
      if (busy) return; // a slow view skips ticks instead of queueing them
      busy = true;
      compute()
        .then((data) => send(res, view, data))
        .catch(() => {
          const body: ErrorResponse = {
            error: { code: 'unavailable', message: 'the telemetry source cannot answer right now' },
          };
          send(res, 'error', body);
        })
        .finally(() => (busy = false));
    };
    // Deferred so the view cache (also a tick listener) is cleared first.
    const unsubscribe = deps.source.onTick(() => setImmediate(push));
    const heartbeat = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
    const end = () => {
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(end);
      res.end();
    };
    open.add(end);
    req.on('close', end);
    push();
  });

  return {
    close() {
      for (const end of [...open]) end();
    },
  };
}
