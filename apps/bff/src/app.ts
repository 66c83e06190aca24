import type { Span } from '@meshlens/contract';
import type { TelemetrySource, TraceSource } from '@meshlens/telemetry';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { type Logger, pino } from 'pino';
import type { Registry } from 'prom-client';
import { apiRoutes, statusOf } from './api';
import { type ControlPlaneLike, createControlPlaneView } from './controlPlane';
import { diagnosisRoutes } from './diagnosis';
import { HttpError, NotFoundError, errorMiddleware } from './httpErrors';
import { createMetrics } from './metrics';
import { createProcessesView } from './processes';
import {
  DEFAULT_ALLOWED_HOSTS,
  INGEST_PATHS,
  hostCheck,
  ingestCheck,
  methodCheck,
  originCheck,
  tokenCheck,
} from './security';
import { spaRoutes } from './spa';
import { streamRoutes } from './stream';
import { type IngestLimits, type OtlpIngest, createOtlpIngest } from './traces/ingest';
import { traceRoutes } from './traces/routes';
import { createMemoryTraceSource } from './traces/memorySource';
import { DEFAULT_TAP_SETTINGS, type TapSettings, type TapStats, tapRoutes } from './tap/tapRoutes';
import type { TapCredentials } from './tap/tapUpstream';
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
  /** Trace ingest (/v1/traces, /api/v2/spans): on by default; its own token replaces authToken there. */
  ingestEnabled?: boolean;
  ingestToken?: string | undefined;
  /** Believe X-Forwarded-Proto from the reverse proxy in front (Secure cookie behind TLS termination). */
  trustProxy?: boolean;
  /** Host allow-list, see security.ts (default: localhost forms, any port) */
  allowedHosts?: readonly string[];
  /** built SPA folder, null/undefined to serve none */
  webDist?: string | null;
  traceStore?: TraceStore;
  traceStoreOptions?: TraceStoreOptions;
  /** where trace search and trace-by-id read (default: the trace store, i.e. memory) */
  traceSource?: TraceSource;
  /** spans loaded into the trace store at start (the fixture source's traces) */
  seedSpans?: readonly Span[];
  ingest?: IngestLimits;
  controlPlane?: { url: string; client: ControlPlaneLike } | null;
  /** status file of the `npm start` supervisor (restart counts), null when not supervised */
  processStatusFile?: string | null;
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
  /** the OTLP receivers' shared store and limits (main.ts hands it to the gRPC receiver) */
  ingest: OtlpIngest;
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
  const ingest = createOtlpIngest({ store: traces, metrics, limits: deps.ingest ?? {}, now });
  const cache = createViewCache(deps.source, {
    ...(deps.cacheMaxAgeMs ? { maxAgeMs: deps.cacheMaxAgeMs } : {}),
    now,
  });
  const controlPlane = createControlPlaneView({
    url: deps.controlPlane?.url ?? null,
    client: deps.controlPlane?.client ?? null,
    now,
  });
  const traceSource = deps.traceSource ?? createMemoryTraceSource(traces, now);
  const apiDeps = {
    source: deps.source,
    cache,
    traces,
    traceSource,
    controlPlane,
    processes: createProcessesView(deps.processStatusFile ?? null, now),
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
  const ingestToken = deps.ingestToken;
  router.use(ingestCheck({ enabled: deps.ingestEnabled ?? true, token: ingestToken }));
  if (deps.authToken) {
    router.use(
      tokenCheck(deps.authToken, {
        basePath,
        trustProxy: deps.trustProxy ?? false,
        // Ingest with its own token was checked above; the read token does not open it.
        ...(ingestToken === undefined ? {} : { skip: (req) => INGEST_PATHS.has(req.path) }),
      }),
    );
  }
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  router.use('/api', (_req, res, next) => {
    res.setHeader('cache-control', 'no-store'); // live data: never from a browser cache
    next();
  });
  traceRoutes(router, { store: traces, traceSource, metrics, ingest, now });
  apiRoutes(router, apiDeps);
  diagnosisRoutes(router, { source: deps.source, traceSource, now });
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
    ingest,
    registry: metrics.registry,
    tap,
    close() {
      cache.close();
      streams.close();
      tap.close();
      void ingest.close();
    },
  };
}

export { HttpError };
