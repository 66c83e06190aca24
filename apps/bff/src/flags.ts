import { parseArgs } from 'node:util';
import { SOURCE_KINDS, parseDurationMs } from '@meshlens/contract';
import * as z from 'zod';
import { TRACE_SOURCE_KINDS, basePathSchema } from './config';

const duration = z.preprocess(
  (v) => (typeof v === 'string' ? (parseDurationMs(v) ?? v) : v),
  z.number({ error: 'must be a duration like 10s or 1500ms' }).int().positive(),
);

export const USAGE = `Usage: node apps/bff/dist/main.mjs [flags]   (from a checkout: tsx apps/bff/src/main.ts)

meshlens BFF: golden signals, topology and traces for the dashboard; serves the SPA.

  --port N                 listen port (default 50750; 0 picks a free port)
  --address ADDR           listen address (default 127.0.0.1)
  --otlp-grpc-port N       also receive OTLP/gRPC traces (TraceService/Export) on port N, on
                           --address (off unless set; 0 picks a free port; npm start uses 4317)
  --config FILE            YAML config (static scrape targets, scrape settings, allowed hosts, ...)
  --source KIND            embedded (default) | prometheus | fixture
  --prometheus-url URL     Prometheus HTTP API for --source prometheus (or Thanos, Mimir: see README)
  --prometheus-bearer-token-file FILE   send "Authorization: Bearer <FILE contents>" (re-read per request)
  --prometheus-tenant ID   send X-Scope-OrgID: ID (Mimir, Cortex)
  --prometheus-ca-file FILE  trust this PEM CA bundle for https
  --prometheus-header 'Name: value'  extra request header (repeatable)
  --prometheus-timeout DUR per-request timeout (default 10s)
  --traces-source KIND     memory (default: the BFF's own store) | jaeger | tempo
  --traces-url URL         Jaeger query service (http://jaeger:16686) or Tempo (http://tempo:3200)
  --traces-bearer-token-file FILE, --traces-tenant ID, --traces-ca-file FILE,
  --traces-header 'Name: value', --traces-timeout DUR   as for Prometheus
                           (basic auth, client certificates: config file, see README)
  --control-plane-url URL  meshlens control plane: scrape targets + the Mesh health page
  --control-plane-token-file FILE
                           the dashboard's own credential for the control plane (a join token,
                           e.g. for meshlens/meshlens-dashboard, or a projected service-account token)
  --base-path /PREFIX      serve everything under a path prefix (ingress, kubectl proxy)
  --auth-token TOKEN       require "Authorization: Bearer TOKEN" on everything but /live
                           (env MESHLENS_AUTH_TOKEN)
  --ingest-token-file FILE trace ingest (/v1/traces, /api/v2/spans) needs this token instead of
                           --auth-token; proxies send it (--trace-token-file)
  --no-ingest              turn trace ingest off (404)
  --trust-proxy            believe X-Forwarded-Proto from the reverse proxy in front (marks the
                           token cookie Secure behind TLS termination)
  --allowed-host HOST      add to the Host allow-list (repeatable; default localhost forms)
  --web-dist DIR           built SPA (default apps/web/dist)
  --data-dir DIR           keep the embedded store and the traces here: snapshots every
                           --snapshot-interval and on SIGTERM, restored at start
  --snapshot-interval D    time between snapshots (default 1m; e.g. 30s, 5m)
  --process-status-file F  status file of the npm start supervisor (restarts on Mesh health)
  --fixture-hostile        fixture source: add workloads with HTML/script names
  --fixture-canary         fixture source: add the reviews app in two versions (app graphs)
  --fixture-clusters       fixture source: label namespaces with two clusters (cluster boxes)
  --fixture-now MS         fixture source: freeze the clock at MS (epoch milliseconds)
  --fixture-down-file FILE fixture source: simulate an outage while FILE exists (e2e tests)
  --tap-token-file FILE    tap token shared with proxies that run without mTLS
  --no-tap                 turn GET /api/v1/tap off (also tap.enabled: false in the config)
  --log-level LEVEL        pino level (default info)
  --help                   this text

The fixture source also toggles a simulated outage on SIGUSR2 (sent to the node process itself).`;

const flagsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).optional(),
  address: z.string().min(1).optional(),
  otlpGrpcPort: z.coerce.number().int().min(0).max(65535).optional(),
  config: z.string().min(1).optional(),
  source: z.enum(SOURCE_KINDS).optional(),
  prometheusUrl: z.url().optional(),
  prometheusBearerTokenFile: z.string().min(1).optional(),
  prometheusTenant: z.string().min(1).optional(),
  prometheusCaFile: z.string().min(1).optional(),
  prometheusHeader: z.array(z.string()).optional(),
  prometheusTimeout: duration.optional(),
  tracesSource: z.enum(TRACE_SOURCE_KINDS).optional(),
  tracesUrl: z.url().optional(),
  tracesBearerTokenFile: z.string().min(1).optional(),
  tracesTenant: z.string().min(1).optional(),
  tracesCaFile: z.string().min(1).optional(),
  tracesHeader: z.array(z.string()).optional(),
  tracesTimeout: duration.optional(),
  controlPlaneUrl: z.url().optional(),
  controlPlaneTokenFile: z.string().min(1).optional(),
  ingestTokenFile: z.string().min(1).optional(),
  noIngest: z.boolean().optional(),
  trustProxy: z.boolean().optional(),
  basePath: basePathSchema.optional(),
  authToken: z.string().min(8, 'must be at least 8 characters').optional(),
  allowedHost: z.array(z.string().min(1)).optional(),
  webDist: z.string().min(1).optional(),
  dataDir: z.string().min(1).optional(),
  snapshotInterval: z
    .string()
    .transform((v) => parseDurationMs(v) ?? Number.NaN)
    .pipe(
      z
        .number({ error: 'must be a duration like 30s, 1m or 5m' })
        .int('must be a duration like 30s, 1m or 5m')
        .min(1000, 'must be at least 1s'),
    )
    .default(60_000),
  processStatusFile: z.string().min(1).optional(),
  fixtureHostile: z.boolean().optional(),
  fixtureCanary: z.boolean().optional(),
  fixtureClusters: z.boolean().optional(),
  fixtureDownFile: z.string().min(1).optional(),
  fixtureNow: z.coerce.number().int().positive().optional(),
  tapTokenFile: z.string().min(1).optional(),
  noTap: z.boolean().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  help: z.boolean().optional(),
});
export type Flags = z.output<typeof flagsSchema>;

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Parses argv (+ env MESHLENS_AUTH_TOKEN); throws an Error naming the bad flag. */
export function parseFlags(argv: string[], env: NodeJS.ProcessEnv): Flags {
  const str = { type: 'string' } as const;
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: str,
      address: str,
      'otlp-grpc-port': str,
      config: str,
      source: str,
      'prometheus-url': str,
      'prometheus-bearer-token-file': str,
      'prometheus-tenant': str,
      'prometheus-ca-file': str,
      'prometheus-header': { type: 'string', multiple: true },
      'prometheus-timeout': str,
      'traces-source': str,
      'traces-url': str,
      'traces-bearer-token-file': str,
      'traces-tenant': str,
      'traces-ca-file': str,
      'traces-header': { type: 'string', multiple: true },
      'traces-timeout': str,
      'control-plane-url': str,
      'control-plane-token-file': str,
      'ingest-token-file': str,
      'no-ingest': { type: 'boolean' },
      'trust-proxy': { type: 'boolean' },
      'base-path': str,
      'auth-token': str,
      'allowed-host': { type: 'string', multiple: true },
      'web-dist': str,
      'data-dir': str,
      'snapshot-interval': str,
      'process-status-file': str,
      'fixture-hostile': { type: 'boolean' },
      'fixture-canary': { type: 'boolean' },
      'fixture-clusters': { type: 'boolean' },
      'fixture-now': str,
      'fixture-down-file': str,
      'log-level': str,
      'tap-token-file': str,
      'no-tap': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) raw[camel(k)] = v;
  raw.authToken ??= env.MESHLENS_AUTH_TOKEN || undefined;
  const r = flagsSchema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const flag = String(issue?.path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  throw new Error(`--${flag}: ${issue?.message ?? 'invalid value'}`);
}
