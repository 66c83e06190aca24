import { parseArgs } from 'node:util';
import * as z from 'zod';

export const HELP_TEXT = `meshlens-injector - mutating admission webhook that adds meshlens to pods

Usage:
  node apps/injector/dist/main.mjs [flags]                 serve the webhook (HTTPS)
  node apps/injector/dist/main.mjs webhook-config [flags]  print the MutatingWebhookConfiguration
                                                           (YAML, caBundle = --ca-cert-file)

Serve:
  --address 0.0.0.0 --port 8443
  --ca-cert-file FILE --ca-key-file FILE   the mesh CA (the control plane's); the serving
                                           certificate is signed with it at start
  --dns-names N1,N2    names in the serving certificate
                       (default meshlens-injector.meshlens.svc,meshlens-injector.meshlens.svc.cluster.local)
  --image IMAGE --control-plane-url URL --trace-collector-url URL --tls-mode MODE
                       what the injected proxy uses (as meshlens inject's flags)
  --log-level info
webhook-config:
  --ca-cert-file FILE  --namespace meshlens  --service meshlens-injector  --port 443
  --help               print this text
Each serve flag can also be given as env MESHLENS_INJECTOR_<FLAG_IN_UPPER_SNAKE>.
`;

const NAMES = [
  'address',
  'port',
  'ca-cert-file',
  'ca-key-file',
  'dns-names',
  'image',
  'control-plane-url',
  'trace-collector-url',
  'tls-mode',
  'log-level',
  'namespace',
  'service',
] as const;

const port = z
  .string()
  .regex(/^\d+$/, 'must be a port number 1..65535')
  .transform(Number)
  .refine((n) => n >= 1 && n <= 65535, 'must be a port number 1..65535');

const serveSchema = z.object({
  address: z.string().min(1).default('0.0.0.0'),
  port: z.union([port, z.literal('0').transform(() => 0)]).default(8443),
  'ca-cert-file': z.string({ error: 'is required (the mesh CA certificate, PEM)' }).min(1),
  'ca-key-file': z.string({ error: 'is required (the mesh CA key, PKCS#8 PEM)' }).min(1),
  'dns-names': z
    .string()
    .default('meshlens-injector.meshlens.svc,meshlens-injector.meshlens.svc.cluster.local')
    .transform((s) =>
      s
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== ''),
    ),
  image: z.string().min(1).optional(),
  'control-plane-url': z.url({ protocol: /^https?$/ }).optional(),
  'trace-collector-url': z.url({ protocol: /^https?$/ }).optional(),
  'tls-mode': z.enum(['disabled', 'permissive', 'strict']).optional(),
  'log-level': z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
});

const configSchema = z.object({
  'ca-cert-file': z.string({ error: 'is required (the mesh CA certificate, PEM)' }).min(1),
  namespace: z.string().min(1).default('meshlens'),
  service: z.string().min(1).default('meshlens-injector'),
  port: port.default(443),
});

export type ServeFlags = z.infer<typeof serveSchema>;
export type ConfigFlags = z.infer<typeof configSchema>;

export type FlagsResult =
  | { kind: 'help' }
  | { kind: 'serve'; flags: ServeFlags }
  | { kind: 'webhook-config'; flags: ConfigFlags }
  | { kind: 'error'; message: string };

/** Parses argv (without node/script) and env; never throws. */
export function parseFlags(argv: string[], env: NodeJS.ProcessEnv): FlagsResult {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(NAMES.map((n) => [n, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    });
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
  if (parsed.values['help'] === true) return { kind: 'help' };
  const [command, ...rest] = parsed.positionals;
  if (rest.length > 0 || (command !== undefined && command !== 'webhook-config')) {
    return { kind: 'error', message: `unknown command "${parsed.positionals.join(' ')}"` };
  }
  const raw: Record<string, string> = {};
  for (const n of NAMES) {
    const fromEnv =
      command === undefined
        ? env[`MESHLENS_INJECTOR_${n.toUpperCase().replaceAll('-', '_')}`]
        : undefined;
    const v = parsed.values[n] ?? fromEnv;
    if (typeof v === 'string' && v !== '') raw[n] = v;
  }
  const problems = (issues: z.core.$ZodIssue[]) =>
    issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; ');
  if (command === 'webhook-config') {
    const r = configSchema.safeParse(raw);
    return r.success
      ? { kind: 'webhook-config', flags: r.data }
      : { kind: 'error', message: problems(r.error.issues) };
  }
  const r = serveSchema.safeParse(raw);
  return r.success
    ? { kind: 'serve', flags: r.data }
    : { kind: 'error', message: problems(r.error.issues) };
}
