import type { Span } from '@meshlens/contract';
import type { TelemetrySource } from '@meshlens/telemetry';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { type Logger, pino } from 'pino';
import type { Registry } from 'prom-client';
import { apiRoutes, statusOf } from './api';
import { type ControlPlaneLike, createControlPlaneView } from './controlPlane';
import { HttpError, NotFoundError, errorMiddleware } from './httpErrors';
import { createMetrics } from './metrics';
import { DEFAULT_ALLOWED_HOSTS, hostCheck, methodCheck, originCheck, tokenCheck } from './security';
import { spaRoutes } from './spa';
import { streamRoutes } from './stream';
import { DEFAULT_TAP_SETTINGS, type TapSettings, type TapStats, tapRoutes } from './tap/tapRoutes';
import type { TapCredentials } from './tap/tapUpstream';
import { type IngestLimits, traceRoutes } from './traces/routes';
import { type TraceStore, type TraceStoreOptions, createTraceStore } from './traces/store';
import { createViewCache } from './viewCache';

export interface AppDeps {
  source: TelemetrySource;
  logger?: Logger;
  /** reported by /api/v1/status */
  version?: string;
  /** '' (default) or '/prefix' */
  basePath?: string;
  /** bearer token required on everything but /live */
  authToken?: string | undefined;
  /** Host allow-list, see security.ts (default: localhost forms, any port) */
  allowedHosts?: readonly string[];
  /** built SPA folder, null/undefined to serve none */
  webDist?: string | null;
  traceStore?: TraceStore;
  traceStoreOptions?: TraceStoreOptions;
  /** spans loaded into the trace store at start (the fixture source's traces) */
  seedSpans?: readonly Span[];
  ingest?: IngestLimits;
  controlPlane?: { url: string; client: ControlPlaneLike } | null;
  now?: () => number;
  /** view cache backstop when the source does not tick */
  cacheMaxAgeMs?: number;
  /** live request tap (GET /api/v1/tap) */
  tap?: Partial<TapSettings>;
  /** how the BFF proves it is the dashboard to the proxies (asked per tap: certificates rotate) */
  tapCredentials?: () => TapCredentials;
}

export interface BffApp {
  app: Express;
  traces: TraceStore;
  registry: Registry;
  /** open taps and their buffers (also exported as meshlens_bff_tap_* metrics) */
  tap: { stats(): TapStats };
  /** unsubscribes from the source and ends open streams (the source itself is the caller's) */
  close(): void;
}

export const CYTOSCAPE_STYLE_HASH = 'sha256-pgvDUBa4IjFA2yuSJ2cqcyxmNYJMborsd0ORcRv9vw8=';

/** Strict CSP the Vite build satisfies: no inline or eval'd script, same-origin everything. */
function securityHeaders(): express.RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // cytoscape injects one fixed <style> (".__________cytoscape_container { position: relative; }"):
        // allowed by its hash, not by 'unsafe-inline'.
        styleSrc: ["'self'", `'${CYTOSCAPE_STYLE_HASH}'`],
        // React/recharts/cytoscape set style attributes; they cannot run script.
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
  });
}

export function createApp(deps: AppDeps): BffApp {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const now = deps.now ?? Date.now;
  const basePath = deps.basePath ?? '';
  const allowedHosts = deps.allowedHosts ?? DEFAULT_ALLOWED_HOSTS;
  const traces = deps.traceStore ?? createTraceStore(deps.traceStoreOptions);
  if (deps.seedSpans) traces.add(deps.seedSpans);
  const metrics = createMetrics(deps.source, traces);
  const cache = createViewCache(deps.source, {
    ...(deps.cacheMaxAgeMs ? { maxAgeMs: deps.cacheMaxAgeMs } : {}),
    now,
  });
  const controlPlane = createControlPlaneView({
    url: deps.controlPlane?.url ?? null,
    client: deps.controlPlane?.client ?? null,
    now,
  });
  const apiDeps = {
    source: deps.source,
    cache,
    traces,
    controlPlane,
    version: deps.version ?? '0.0.0',
    now,
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(hostCheck(allowedHosts, basePath));
  app.use(securityHeaders());
  app.use(metrics.middleware);

  const router = express.Router();
  router.use(methodCheck());
  // Probes carry no token (kubelet): /live and /ready answer before the token check and say
  // nothing beyond ready / not ready (details are in the protected /api/v1/status).
  router.get('/live', (_req, res) => void res.json({ status: 'ok' }));
  router.get('/ready', (_req, res) => {
    const healthy = deps.source.status().healthy;
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'ready' : 'not ready' });
  });
  if (deps.authToken) router.use(tokenCheck(deps.authToken));
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  router.use('/api', (_req, res, next) => {
    res.setHeader('cache-control', 'no-store'); // live data: never from a browser cache
    next();
  });
  traceRoutes(router, { store: traces, metrics, limits: deps.ingest ?? {}, now });
  apiRoutes(router, apiDeps);
  const streams = streamRoutes(router, {
    ...apiDeps,
    originCheck: originCheck(allowedHosts),
    status: () => statusOf(apiDeps),
  });
  const tap = tapRoutes(router, {
    source: deps.source,
    originCheck: originCheck(allowedHosts),
    settings: { ...DEFAULT_TAP_SETTINGS, ...deps.tap },
    credentials: deps.tapCredentials ?? (() => ({})),
    logger,
    now,
  });
  metrics.watchTap(() => tap.stats());
  spaRoutes(router, { webDist: deps.webDist ?? null, basePath });
  app.use(basePath === '' ? '/' : basePath, router);

  app.use((req, _res, next) => {
    next(new NotFoundError(`no such endpoint: ${req.method} ${req.path}`));
  });
  app.use(errorMiddleware(logger));

  return {
    app,
    traces,
    registry: metrics.registry,
    tap,
    close() {
      cache.close();
      streams.close();
      tap.close();
    },
  };
}

export { HttpError };
