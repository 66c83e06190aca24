import { parseArgs } from 'node:util';
import * as z from 'zod';
import { SERVICES } from './topology';

export const HELP_TEXT = `meshlens demo shop - the sample services and load generator that run inside the mesh

Usage:
  tsx apps/demo/src/main.ts --service NAME [flags]   one instance (a container, a pod)
  tsx apps/demo/src/main.ts --all                    every instance of the shop in one process
                                                     (npm start; outbound URLs arrive on stdin)
Flags (each also as env MESHLENS_DEMO_<FLAG_IN_UPPER_SNAKE>):
  --service NAME        ${SERVICES.join(' | ')}
  --version V           (default: v1)
  --workload NAME       (default: the service, or <service>-<version> for reviews)
  --pod NAME            (default: <workload>-0)
  --address 127.0.0.1   --port 0        where the app listens (its proxy's --app-port)
  --outbound-url URL    the local proxy's outbound listener (env MESHLENS_OUTBOUND_URL too)
  --rps N               load generator rate (loadgen: 8, scraper: 0.5)
  --log-level info
  --help
stdin (with --all): JSON lines {"outbound": {"<pod>": "http://127.0.0.1:PORT"}}
`;

const numberString = (flag: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, `--${flag} must be a number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `--${flag} must be between ${min} and ${max}`);

const flagsSchema = z
  .object({
    all: z.boolean().default(false),
    service: z
      .enum(SERVICES, { error: `--service must be one of ${SERVICES.join(', ')}` })
      .optional(),
    version: z.string().min(1).default('v1'),
    workload: z.string().min(1).optional(),
    pod: z.string().min(1).optional(),
    address: z.string().min(1).default('127.0.0.1'),
    port: numberString('port', 0, 65535).default(0),
    'outbound-url': z.url({ error: '--outbound-url must be a URL' }).optional(),
    rps: numberString('rps', 0.01, 1000).optional(),
    'log-level': z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    help: z.boolean().default(false),
  })
  .refine((f) => f.help || f.all || f.service !== undefined, 'give --service NAME or --all');

export type DemoFlags = z.output<typeof flagsSchema>;

const STRING_FLAGS = [
  'service',
  'version',
  'workload',
  'pod',
  'address',
  'port',
  'outbound-url',
  'rps',
  'log-level',
] as const;

export function parseFlags(
  argv: string[],
  env: NodeJS.ProcessEnv,
): { ok: true; flags: DemoFlags } | { ok: false; error: string } {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(STRING_FLAGS.map((f) => [f, { type: 'string' as const }]));
    values = parseArgs({
      args: argv,
      options: { ...options, all: { type: 'boolean' }, help: { type: 'boolean' } },
      strict: true,
    }).values;
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  for (const f of STRING_FLAGS) {
    const fromEnv = env[`MESHLENS_DEMO_${f.toUpperCase().replaceAll('-', '_')}`];
    if (values[f] === undefined && fromEnv !== undefined) values[f] = fromEnv;
  }
  if (values['outbound-url'] === undefined && env.MESHLENS_OUTBOUND_URL)
    values['outbound-url'] = env.MESHLENS_OUTBOUND_URL;
  const parsed = flagsSchema.safeParse(values);
  if (!parsed.success)
    return { ok: false, error: parsed.error.issues.map((i) => i.message).join('; ') };
  return { ok: true, flags: parsed.data };
}
