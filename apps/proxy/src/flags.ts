import { parseArgs } from 'node:util';
import * as z from 'zod';
import type { LogLevel } from './log';

/** Every flag of the proxy; each is also read from env MESHLENS_PROXY_<FLAG_IN_UPPER_SNAKE>. */
const FLAG_NAMES = [
  'namespace',
  'service',
  'workload',
  'pod',
  'version',
  'service-account',
  'app-address',
  'app-port',
  'app-protocol',
  'peer-protocol',
  'inbound-address',
  'inbound-port',
  'outbound-address',
  'outbound-port',
  'admin-address',
  'admin-port',
  'discovery-file',
  'config-file',
  'control-plane-url',
  'token-file',
  'tls-mode',
  'trust-domain',
  'trace-collector-url',
  'trace-token-file',
  'trace-sample-rate',
  'default-timeout-ms',
  'log-level',
  'lb',
  'capture',
  'tap-identity',
  'tap-token-file',
  'tap-redact-headers',
] as const;

export const HELP_TEXT = `meshlens proxy - sidecar proxy (inbound, outbound, admin listeners)

Usage: node apps/proxy/dist/main.mjs [flags]   (from source: tsx apps/proxy/src/main.ts)
Each flag can also be given as env MESHLENS_PROXY_<FLAG_IN_UPPER_SNAKE> (flags win).

Identity of the local instance:
  --namespace NS            (default: default)
  --service NAME            (default: unknown)
  --workload NAME           (default: the service name)
  --pod NAME                (default: <workload>-<pid>)
  --version V               optional
  --service-account SA      (default: default)
Listeners:
  --app-address 127.0.0.1 --app-port PORT         the local app behind the inbound listener
  --app-protocol http1|h2c  how inbound talks to the app (default: http1; gRPC calls,
                            content-type application/grpc, always go as h2c)
  --peer-protocol h2|http1  to other proxies over mTLS: h2 (ALPN, one multiplexed session per
                            endpoint; default) or http1 (keep-alive pool; gRPC still works)
  --inbound-address 127.0.0.1 --inbound-port 0    calls for the local app (mTLS when identity is on)
  --outbound-address 127.0.0.1 --outbound-port 0  the local app's calls; Host names the service
  --admin-address 127.0.0.1 --admin-port 0        /metrics /ready /live /endpoints
Discovery and configuration:
  --discovery-file FILE     static endpoints (YAML/JSON, watched and hot-reloaded)
  --config-file FILE        mesh-config YAML (routes/policies) when no control plane
  --control-plane-url URL   endpoints, config and certificates from the control plane
  --token-file FILE         this workload's credential for the control plane: a join token
                            (meshlens token create) or a projected service-account token
                            (audience meshlens); re-read on every use, so it can rotate
  --tls-mode disabled|permissive|strict  (default: permissive with a control plane, else disabled)
  --trust-domain cluster.local
Tracing:
  --trace-collector-url URL  OTLP/HTTP JSON endpoint, e.g. http://127.0.0.1:50750/v1/traces
  --trace-token-file FILE    bearer token for the collector (the dashboard's --ingest-token-file)
  --trace-sample-rate 0..1   (default: 1) rate for requests without a sampled/unsampled parent
Tap (live request events on the admin listener, GET /tap; only the dashboard may tap):
  --tap-identity ID[,ID]      SPIFFE ids allowed to tap over mTLS
                              (default: spiffe://<trust-domain>/ns/meshlens/sa/meshlens-dashboard)
  --tap-token-file FILE       a bearer token that may tap where there is no mTLS
  --tap-redact-headers A,B    header values never sent, besides authorization, cookie, set-cookie
Other:
  --default-timeout-ms 10000  time allowed until the upstream's response headers
  --lb p2c|round-robin        load balancer (default: p2c over peak-EWMA)
  --capture enabled|disabled  the outbound listener takes connections meshlens-init redirected
                              (original destination -> service, else plain TCP passthrough); Linux
  --log-level info            fatal|error|warn|info|debug|trace|silent
  --help                      print this text
`;

const port = (flag: string) =>
  z
    .string()
    .regex(/^\d+$/, `--${flag} must be a port number 0..65535`)
    .transform(Number)
    .refine((n) => n <= 65535, `--${flag} must be a port number 0..65535`);

const address = z.string().min(1);

const FlagsSchema = z.object({
  namespace: z.string().min(1).default('default'),
  service: z.string().min(1).default('unknown'),
  workload: z.string().min(1).optional(),
  pod: z.string().min(1).optional(),
  version: z.string().min(1).optional(),
  'service-account': z.string().min(1).default('default'),
  'app-address': address.default('127.0.0.1'),
  'app-port': port('app-port').optional(),
  'app-protocol': z
    .enum(['http1', 'h2c'], { message: '--app-protocol must be http1 or h2c' })
    .default('http1'),
  'peer-protocol': z
    .enum(['h2', 'http1'], { message: '--peer-protocol must be h2 or http1' })
    .default('h2'),
  'inbound-address': address.default('127.0.0.1'),
  'inbound-port': port('inbound-port').default(0),
  'outbound-address': address.default('127.0.0.1'),
  'outbound-port': port('outbound-port').default(0),
  'admin-address': address.default('127.0.0.1'),
  'admin-port': port('admin-port').default(0),
  'discovery-file': z.string().min(1).optional(),
  'config-file': z.string().min(1).optional(),
  'control-plane-url': z.url({ protocol: /^https?$/ }).optional(),
  'token-file': z.string().min(1).optional(),
  'tls-mode': z.enum(['disabled', 'permissive', 'strict']).optional(),
  'trust-domain': z
    .string()
    .regex(/^[a-z0-9.-]+$/, '--trust-domain must be a DNS-like name')
    .default('cluster.local'),
  'trace-collector-url': z.url({ protocol: /^https?$/ }).optional(),
  'trace-token-file': z.string().min(1).optional(),
  'trace-sample-rate': z
    .string()
    .regex(/^(0(\.\d+)?|1(\.0+)?)$/, '--trace-sample-rate must be a number between 0 and 1')
    .transform(Number)
    .default(1),
  'default-timeout-ms': z
    .string()
    .regex(/^[1-9]\d*$/, '--default-timeout-ms must be a positive integer')
    .transform(Number)
    .default(10000),
  'log-level': z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
  lb: z.enum(['p2c', 'round-robin']).default('p2c'),
  capture: z.enum(['enabled', 'disabled']).default('disabled'),
  'tap-identity': z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== ''),
    )
    .refine(
      (ids) =>
        ids.length > 0 && ids.every((id) => /^spiffe:\/\/[^/]+\/ns\/[^/]+\/sa\/[^/]+$/.test(id)),
      'must be spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>, comma-separated',
    )
    .optional(),
  'tap-token-file': z.string().min(1).optional(),
  'tap-redact-headers': z
    .string()
    .regex(
      /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(,[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/,
      'must be header names separated by commas',
    )
    .transform((s) => s.split(','))
    .optional(),
});

export interface ProxyFlags {
  identity: {
    namespace: string;
    service: string;
    workload: string;
    pod: string;
    version: string | undefined;
    serviceAccount: string;
  };
  app: { address: string; port: number } | undefined;
  /** How inbound talks to the app; gRPC requests use h2c whatever this says. */
  appProtocol: 'http1' | 'h2c';
  /** What this proxy offers and asks for on mTLS connections between proxies. */
  peerProtocol: 'h2' | 'http1';
  inbound: { address: string; port: number };
  outbound: { address: string; port: number };
  admin: { address: string; port: number };
  discoveryFile: string | undefined;
  configFile: string | undefined;
  controlPlaneUrl: string | undefined;
  tokenFile: string | undefined;
  tlsMode: 'disabled' | 'permissive' | 'strict';
  trustDomain: string;
  traceCollectorUrl: string | undefined;
  traceTokenFile: string | undefined;
  traceSampleRate: number;
  defaultTimeoutMs: number;
  logLevel: LogLevel;
  lb: 'p2c' | 'round-robin';
  capture: boolean;
  tap: { identities: string[]; tokenFile: string | undefined; redactHeaders: string[] };
}

export type FlagsResult =
  { kind: 'help' } | { kind: 'ok'; flags: ProxyFlags } | { kind: 'error'; message: string };

export function envName(flag: string): string {
  return `MESHLENS_PROXY_${flag.toUpperCase().replaceAll('-', '_')}`;
}

/** Parses argv (without node/script) and env; never throws. */
export function parseFlags(argv: string[], env: NodeJS.ProcessEnv): FlagsResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(FLAG_NAMES.map((n) => [n, { type: 'string' as const }]));
    values = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
  if (values.help === true) return { kind: 'help' };
  const raw: Record<string, string> = {};
  for (const name of FLAG_NAMES) {
    const v = values[name] ?? env[envName(name)];
    if (typeof v === 'string' && v !== '') raw[name] = v;
  }
  const parsed = FlagsSchema.safeParse(raw);
  if (!parsed.success) {
    const message = parsed.error.issues
      .map((i) => `--${i.path.join('.')}: ${i.message}`)
      .join('; ');
    return { kind: 'error', message };
  }
  const f = parsed.data;
  const workload = f.workload ?? f.service;
  const flags: ProxyFlags = {
    identity: {
      namespace: f.namespace,
      service: f.service,
      workload,
      pod: f.pod ?? `${workload}-${process.pid}`,
      version: f.version,
      serviceAccount: f['service-account'],
    },
    app:
      f['app-port'] === undefined ? undefined : { address: f['app-address'], port: f['app-port'] },
    appProtocol: f['app-protocol'],
    peerProtocol: f['peer-protocol'],
    inbound: { address: f['inbound-address'], port: f['inbound-port'] },
    outbound: { address: f['outbound-address'], port: f['outbound-port'] },
    admin: { address: f['admin-address'], port: f['admin-port'] },
    discoveryFile: f['discovery-file'],
    configFile: f['config-file'],
    controlPlaneUrl: f['control-plane-url'],
    tokenFile: f['token-file'],
    tlsMode: f['tls-mode'] ?? (f['control-plane-url'] === undefined ? 'disabled' : 'permissive'),
    trustDomain: f['trust-domain'],
    traceCollectorUrl: f['trace-collector-url'],
    traceTokenFile: f['trace-token-file'],
    traceSampleRate: f['trace-sample-rate'],
    defaultTimeoutMs: f['default-timeout-ms'],
    logLevel: f['log-level'],
    lb: f.lb,
    capture: f.capture === 'enabled',
    tap: {
      identities: f['tap-identity'] ?? [
        `spiffe://${f['trust-domain']}/ns/meshlens/sa/meshlens-dashboard`,
      ],
      tokenFile: f['tap-token-file'],
      redactHeaders: f['tap-redact-headers'] ?? [],
    },
  };
  return { kind: 'ok', flags };
}
