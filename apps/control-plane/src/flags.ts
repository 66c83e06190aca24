import { parseArgs } from 'node:util';
import * as z from 'zod';

export const HELP = `Usage: node apps/control-plane/dist/main.mjs [flags]   (from a checkout: tsx apps/control-plane/src/main.ts)

meshlens control plane: endpoint discovery with leases, mesh configuration from a watched
YAML directory, and a CA issuing SPIFFE workload certificates. Every flag can also be set as
env MESHLENS_CP_<FLAG_IN_UPPER_SNAKE> (e.g. MESHLENS_CP_CONFIG_DIR).

Every workload proves its service account: a join token (\`meshlens token create\`, needs the
admin token) or, with --kubernetes-token-review, its projected service-account token.

  --address ADDR             listen address (default 127.0.0.1)
  --port PORT                listen port, 0 = any free port (default 50760)
  --config-dir DIR           directory of mesh-config YAML files, watched (default: none, empty config)
  --data-dir DIR             where the generated CA lives (default ./.meshlens-cp)
  --ca-cert-file FILE        use this CA certificate (PEM) instead of generating one
  --ca-key-file FILE         ... and its PKCS#8 PEM private key (ECDSA P-256)
  --trust-domain NAME        SPIFFE trust domain (default cluster.local)
  --admin-token-file FILE    admin credential for the join-token API (default <data-dir>/admin.token,
                             created with a random token on first start, mode 0600)
  --kubernetes-token-review  also accept Kubernetes service-account tokens, checked with TokenReview
                             (implied by --kubernetes)
  --token-audience NAME      audience the service-account token must carry (default meshlens)
  --lease-ttl-seconds N      endpoint lease (default 10)
  --lease-stream-max-seconds N
                             a lease stream is ended after this long, so the proxy registers
                             again and a frozen one drops out (default 300)
  --cert-ttl-hours N         workload certificate lifetime (default 24)
  --cert-ttl-seconds N       overrides --cert-ttl-hours (short lifetimes for rotation tests)
  --log-level LEVEL          trace|debug|info|warn|error (default info)

Kubernetes (endpoints from Services/EndpointSlices/Pods, config from HTTPRoute and meshlens CRDs):
  --kubernetes               read the Kubernetes API (in a pod: its service account; else --kubeconfig)
  --kubeconfig FILE          kubeconfig for the API and TokenReview (default: in-cluster, else ~/.kube/config)
  --kube-namespace NS        namespace of the leader Lease and the CA Secret (default: the pod's, else meshlens)
  --ca-secret NAME           keep the CA in this kubernetes.io/tls Secret, shared by replicas (default meshlens-ca)
  --leader-lease-seconds N   leader Lease duration (default 15; the leader writes object status)
  --replica-id ID            this replica's identity in the Lease (default: the pod name)
  --help                     this text
`;

const OPTIONS = {
  address: { type: 'string' },
  port: { type: 'string' },
  'config-dir': { type: 'string' },
  'data-dir': { type: 'string' },
  'ca-cert-file': { type: 'string' },
  'ca-key-file': { type: 'string' },
  'trust-domain': { type: 'string' },
  'admin-token-file': { type: 'string' },
  'kubernetes-token-review': { type: 'boolean' },
  kubeconfig: { type: 'string' },
  'token-audience': { type: 'string' },
  'lease-ttl-seconds': { type: 'string' },
  'lease-stream-max-seconds': { type: 'string' },
  'cert-ttl-hours': { type: 'string' },
  'cert-ttl-seconds': { type: 'string' },
  'log-level': { type: 'string' },
  kubernetes: { type: 'boolean' },
  'kube-namespace': { type: 'string' },
  'ca-secret': { type: 'string' },
  'leader-lease-seconds': { type: 'string' },
  'replica-id': { type: 'string' },
  help: { type: 'boolean' },
} as const;

const num = (what: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${what} must be a number` })
    .min(min, `${what} must be >= ${min}`)
    .max(max, `${what} must be <= ${max}`);

const flagsSchema = z
  .object({
    address: z.string().min(1).default('127.0.0.1'),
    port: num('--port', 0, 65535).int().default(50760),
    'config-dir': z.string().min(1).optional(),
    'data-dir': z.string().min(1).default('.meshlens-cp'),
    'ca-cert-file': z.string().min(1).optional(),
    'ca-key-file': z.string().min(1).optional(),
    'trust-domain': z
      .string()
      .regex(/^[a-z0-9._-]+$/, '--trust-domain must be lowercase letters, digits, ".", "-", "_"')
      .default('cluster.local'),
    'admin-token-file': z.string().min(1).optional(),
    'kubernetes-token-review': z
      .union([
        z.boolean(),
        z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
      ])
      .default(false),
    kubeconfig: z.string().min(1).optional(),
    'token-audience': z.string().min(1).default('meshlens'),
    'lease-ttl-seconds': num('--lease-ttl-seconds', 1, 3600).default(10),
    'lease-stream-max-seconds': num('--lease-stream-max-seconds', 1, 86400).default(300),
    'cert-ttl-hours': num('--cert-ttl-hours', 0.001, 24 * 365).default(24),
    'cert-ttl-seconds': num('--cert-ttl-seconds', 5, 365 * 24 * 3600).optional(),
    'log-level': z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
    kubernetes: z
      .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
      .default(false),
    'kube-namespace': z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, '--kube-namespace must be a DNS label')
      .optional(),
    'ca-secret': z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, '--ca-secret must be a DNS name')
      .default('meshlens-ca'),
    'leader-lease-seconds': num('--leader-lease-seconds', 2, 300).default(15),
    'replica-id': z.string().min(1).max(253).optional(),
  })
  .refine((f) => (f['ca-cert-file'] === undefined) === (f['ca-key-file'] === undefined), {
    message: '--ca-cert-file and --ca-key-file go together',
  });

export interface CpFlags {
  address: string;
  port: number;
  configDir: string | undefined;
  dataDir: string;
  caFiles: { certFile: string; keyFile: string } | undefined;
  trustDomain: string;
  adminTokenFile: string | undefined;
  /** Undefined: Kubernetes service-account tokens are not accepted. */
  tokenReview: { kubeconfigFile: string | undefined; audience: string } | undefined;
  leaseTtlSeconds: number;
  leaseStreamMaxSeconds: number;
  certTtlMs: number;
  logLevel: string;
  /** Set when the control plane reads the Kubernetes API. */
  kubernetes?: KubeFlags | undefined;
}

export interface KubeFlags {
  kubeconfig: string | undefined;
  namespace: string;
  caSecret: string;
  leaseSeconds: number;
  replicaId: string;
}

/** Flags win over env; throws an Error naming the bad flag. Returns 'help' for --help. */
export function parseFlags(argv: string[], env: NodeJS.ProcessEnv): CpFlags | 'help' {
  if (argv.some((a) => a === '--bootstrap-token' || a.startsWith('--bootstrap-token='))) {
    // The shared bootstrap secret let any holder become any service account (issue 10).
    throw new Error(
      '--bootstrap-token was removed: give each workload its own join token ' +
        '(`meshlens token create -n NS --service-account SA`) or use --kubernetes-token-review',
    );
  }
  const { values } = parseArgs({
    args: argv,
    options: OPTIONS,
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const merged: Record<string, unknown> = {};
  for (const name of Object.keys(OPTIONS)) {
    if (name === 'help') continue;
    const envName = `MESHLENS_CP_${name.toUpperCase().replaceAll('-', '_')}`;
    const v = (values as Record<string, unknown>)[name] ?? env[envName];
    if (v !== undefined && v !== '') merged[name] = v;
  }
  const r = flagsSchema.safeParse(merged);
  if (!r.success) {
    const i = r.error.issues[0];
    const message = i?.message ?? 'invalid flags';
    const flag =
      i?.path[0] === undefined || message.startsWith('--') ? '' : `--${String(i.path[0])}: `;
    throw new Error(`${flag}${message}`);
  }
  const f = r.data;
  return {
    address: f.address,
    port: f.port,
    configDir: f['config-dir'],
    dataDir: f['data-dir'],
    caFiles:
      f['ca-cert-file'] !== undefined && f['ca-key-file'] !== undefined
        ? { certFile: f['ca-cert-file'], keyFile: f['ca-key-file'] }
        : undefined,
    trustDomain: f['trust-domain'],
    adminTokenFile: f['admin-token-file'],
    // In Kubernetes mode, workloads prove themselves with their projected tokens.
    tokenReview:
      f['kubernetes-token-review'] || f.kubernetes
        ? { kubeconfigFile: f.kubeconfig, audience: f['token-audience'] }
        : undefined,
    leaseTtlSeconds: f['lease-ttl-seconds'],
    leaseStreamMaxSeconds: f['lease-stream-max-seconds'],
    certTtlMs:
      f['cert-ttl-seconds'] !== undefined
        ? f['cert-ttl-seconds'] * 1000
        : f['cert-ttl-hours'] * 3600_000,
    logLevel: f['log-level'],
    kubernetes: f.kubernetes
      ? {
          kubeconfig: f.kubeconfig,
          namespace: f['kube-namespace'] ?? env['POD_NAMESPACE'] ?? 'meshlens',
          caSecret: f['ca-secret'],
          leaseSeconds: f['leader-lease-seconds'],
          replicaId: f['replica-id'] ?? env['POD_NAME'] ?? env['HOSTNAME'] ?? `cp-${process.pid}`,
        }
      : undefined,
  };
}
