import { parseArgs } from 'node:util';
import { SOURCE_KINDS } from '@meshlens/contract';
import { z } from 'zod';
import { basePathSchema } from './config';

export const USAGE = `Usage: tsx apps/bff/src/main.ts [flags]

meshlens BFF: golden signals, topology and traces for the dashboard; serves the SPA.

  --port N                 listen port (default 50750; 0 picks a free port)
  --address ADDR           listen address (default 127.0.0.1)
  --config FILE            YAML config (static scrape targets, scrape settings, allowed hosts, ...)
  --source KIND            embedded (default) | prometheus | fixture
  --prometheus-url URL     Prometheus HTTP API for --source prometheus
  --control-plane-url URL  meshlens control plane: scrape targets + the Mesh health page
  --base-path /PREFIX      serve everything under a path prefix (ingress, kubectl proxy)
  --auth-token TOKEN       require "Authorization: Bearer TOKEN" on everything but /live
                           (env MESHLENS_AUTH_TOKEN)
  --allowed-host HOST      add to the Host allow-list (repeatable; default localhost forms)
  --web-dist DIR           built SPA (default apps/web/dist)
  --fixture-hostile        fixture source: add workloads with HTML/script names
  --fixture-now MS         fixture source: freeze the clock at MS (epoch milliseconds)
  --fixture-down-file FILE fixture source: simulate an outage while FILE exists (e2e tests)
  --bootstrap-token TOKEN  control-plane bootstrap token: the dashboard gets its mesh identity
                           (mTLS certificate) to tap proxies (env MESHLENS_BOOTSTRAP_TOKEN)
  --tap-token-file FILE    tap token shared with proxies that run without mTLS
  --no-tap                 turn GET /api/v1/tap off (also tap.enabled: false in the config)
  --log-level LEVEL        pino level (default info)
  --help                   this text

The fixture source also toggles a simulated outage on SIGUSR2 (sent to the node process itself).`;

const flagsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).optional(),
  address: z.string().min(1).optional(),
  config: z.string().min(1).optional(),
  source: z.enum(SOURCE_KINDS).optional(),
  prometheusUrl: z.url().optional(),
  controlPlaneUrl: z.url().optional(),
  basePath: basePathSchema.optional(),
  authToken: z.string().min(8, 'must be at least 8 characters').optional(),
  allowedHost: z.array(z.string().min(1)).optional(),
  webDist: z.string().min(1).optional(),
  fixtureHostile: z.boolean().optional(),
  fixtureDownFile: z.string().min(1).optional(),
  fixtureNow: z.coerce.number().int().positive().optional(),
  bootstrapToken: z.string().min(8, 'must be at least 8 characters').optional(),
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
      config: str,
      source: str,
      'prometheus-url': str,
      'control-plane-url': str,
      'base-path': str,
      'auth-token': str,
      'allowed-host': { type: 'string', multiple: true },
      'web-dist': str,
      'fixture-hostile': { type: 'boolean' },
      'fixture-now': str,
      'fixture-down-file': str,
      'log-level': str,
      'bootstrap-token': str,
      'tap-token-file': str,
      'no-tap': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) raw[camel(k)] = v;
  raw.authToken ??= env.MESHLENS_AUTH_TOKEN || undefined;
  raw.bootstrapToken ??= env.MESHLENS_BOOTSTRAP_TOKEN || undefined;
  const r = flagsSchema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const flag = String(issue?.path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  throw new Error(`--${flag}: ${issue?.message ?? 'invalid value'}`);
}
