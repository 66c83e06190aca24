import {
  DEFAULT_TAP_MAX_RPS,
  type ProxyTapQuery,
  type TapInfo,
  type TapQuery,
  parseQuery,
  tapQuerySchema,
} from '@meshlens/contract';
import type { TelemetrySource } from '@meshlens/telemetry';
import type { RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import { HttpError, InvalidInputError, NotFoundError } from '../httpErrors';
import { findTapProxies } from './tapProxies';
import { TapSession } from './tapSession';
import { type TapCredentials, openUpstreamTap } from './tapUpstream';

export interface TapSettings {
  enabled: boolean;
  /** total tapped requests per second for one tap, split across its proxies */
  maxRps: number;
  /** events buffered per browser before dropping */
  bufferEvents: number;
  maxWritableBytes: number;
  /** concurrent taps */
  maxSessions: number;
  heartbeatMs: number;
}

export const DEFAULT_TAP_SETTINGS: TapSettings = {
  enabled: true,
  maxRps: DEFAULT_TAP_MAX_RPS,
  bufferEvents: 500,
  maxWritableBytes: 64 * 1024,
  maxSessions: 16,
  heartbeatMs: 15_000,
};

export interface TapDeps {
  source: TelemetrySource;
  originCheck: RequestHandler;
  settings: TapSettings;
  credentials: () => TapCredentials;
  logger: Logger;
  now: () => number;
}

export interface TapStats {
  sessions: number;
  upstreams: number;
  /** events waiting in the browsers' buffers, summed and the largest */
  bufferedEvents: number;
  maxBufferedEvents: number;
  droppedSlowConsumer: number;
}

function filterOf(q: TapQuery, perProxyRps: number): ProxyTapQuery {
  const f: ProxyTapQuery = { maxRps: perProxyRps };
  if (q.direction !== undefined) f.direction = q.direction;
  if (q.method !== undefined) f.method = q.method;
  if (q.authority !== undefined) f.authority = q.authority;
  if (q.path !== undefined) f.path = q.path;
  if (q.fromNamespace !== undefined) f.fromNamespace = q.fromNamespace;
  if (q.fromWorkload !== undefined) f.fromWorkload = q.fromWorkload;
  if (q.toNamespace !== undefined) f.toNamespace = q.toNamespace;
  if (q.toWorkload !== undefined) f.toWorkload = q.toWorkload;
  if (q.headers !== undefined) f.headers = q.headers;
  return f;
}

/**
 * GET /api/v1/tap?kind=workload&namespace=shop&name=web&path=/api&maxRps=10: server-sent
 * events. First `event: info` (the proxies opened), then `event: tap` per TapEvent (merged from
 * every proxy), `event: tap-error` when a proxy cannot be tapped. The upstream taps close as soon
 * as the browser goes away.
 */
export function tapRoutes(router: Router, deps: TapDeps): { close(): void; stats(): TapStats } {
  const sessions = new Map<TapSession, { upstreams: number; end: () => void }>();
  const { settings } = deps;

  router.get('/api/v1/tap', deps.originCheck, async (req, res) => {
    if (!settings.enabled) {
      throw new HttpError(403, 'tap_disabled', 'tap is turned off in the BFF config (tap.enabled)');
    }
    const parsed = parseQuery(tapQuerySchema, { ...req.query });
    if (!parsed.ok) throw new InvalidInputError(parsed.error.message, parsed.error.parameter);
    const q = parsed.value;
    if (sessions.size >= settings.maxSessions) {
      throw new HttpError(503, 'unavailable', 'too many open taps; close one and retry');
    }
    const proxies = await findTapProxies(deps.source, q);
    if (proxies.length === 0) {
      const what =
        q.kind === 'namespace'
          ? (q.name ?? q.namespace ?? '')
          : `${q.namespace ?? ''}/${q.name ?? ''}`;
      throw new NotFoundError(`no meshed proxies found for ${q.kind} ${what}`);
    }
    const total = Math.min(q.maxRps ?? settings.maxRps, settings.maxRps);
    const perProxy = total / proxies.length;
    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
    const session = new TapSession(res, settings);
    const info: TapInfo = {
      generatedAt: deps.now(),
      proxies: proxies.map((p) => ({ pod: p.pod, namespace: p.namespace, workload: p.workload })),
      perProxyMaxRps: perProxy,
      errors: [],
    };
    session.send('info', info);
    const creds = deps.credentials();
    const filter = filterOf(q, perProxy);
    const closers = proxies.map((p) =>
      openUpstreamTap(p, filter, creds, {
        onEvent: (event) =>
          session.send('tap', event.type === 'dropped' ? { ...event, pod: p.pod } : event),
        onError: (message) => {
          deps.logger.warn({ pod: p.pod, err: message }, 'tap upstream failed');
          session.send('tap-error', { pod: p.pod, message });
        },
      }),
    );
    const heartbeat = setInterval(() => session.comment('ping'), settings.heartbeatMs);
    const end = () => {
      if (!sessions.has(session)) return;
      clearInterval(heartbeat);
      for (const close of closers) close();
      session.close();
      sessions.delete(session);
      res.end();
    };
    sessions.set(session, { upstreams: closers.length, end });
    req.on('close', end);
    res.on('close', end);
  });

  return {
    close() {
      for (const { end } of [...sessions.values()]) end();
    },
    stats() {
      let upstreams = 0;
      let buffered = 0;
      let max = 0;
      let dropped = 0;
      for (const [s, v] of sessions) {
        upstreams += v.upstreams;
        buffered += s.buffered;
        max = Math.max(max, s.buffered);
        dropped += s.droppedTotal;
      }
      return {
        sessions: sessions.size,
        upstreams,
        bufferedEvents: buffered,
        maxBufferedEvents: max,
        droppedSlowConsumer: dropped,
      };
    },
  };
}
