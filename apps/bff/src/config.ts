import { readFile } from 'node:fs/promises';
import { SOURCE_KINDS, parseDurationMs } from '@meshlens/contract';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { backendFields } from './backendConfig';

export const TRACE_SOURCE_KINDS = ['memory', 'jaeger', 'tempo'] as const;

/** `5s`, `1m`, `1h`, `1500ms` or a number of milliseconds. */
const duration = z.preprocess(
  (v) => (typeof v === 'string' ? (parseDurationMs(v) ?? v) : v),
  z
    .number({ error: 'must be a duration like 5s, 1m, 1500ms or a number of milliseconds' })
    .int()
    .positive(),
);

/** URL path prefix: '' or '/a/b' (no trailing slash, no characters needing escaping in HTML). */
export const basePathSchema = z
  .string()
  .transform((s) => s.trim().replace(/\/+$/, ''))
  .pipe(
    z
      .string()
      .regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'must look like /meshlens (letters, digits, . _ ~ -)'),
  );

/** Like Prometheus static_configs: `host:port` (or full URLs) sharing target labels. */
const staticConfigSchema = z.strictObject({
  targets: z.array(z.string().min(1)).min(1),
  labels: z.record(z.string(), z.string()).default({}),
  scheme: z.enum(['http', 'https']).default('http'),
  metricsPath: z.string().startsWith('/').default('/metrics'),
});

export const bffConfigSchema = z.strictObject({
  server: z
    .strictObject({
      address: z.string().optional(),
      port: z.number().int().min(0).max(65535).optional(),
      basePath: basePathSchema.optional(),
      /** Host header allow-list, see security.ts; default localhost, 127.0.0.1, [::1] */
      allowedHosts: z.array(z.string().min(1)).optional(),
      webDist: z.string().optional(),
      /** believe X-Forwarded-Proto from the reverse proxy in front */
      trustProxy: z.boolean().optional(),
    })
    .default({}),
  source: z.enum(SOURCE_KINDS).optional(),
  prometheus: z
    .strictObject({
      url: z.url(),
      /** skip probing which metric names exist */
      dialect: z.enum(['linkerd', 'istio']).optional(),
      /** the label naming each series' cluster, when one Prometheus holds several */
      clusterLabel: z
        .string()
        .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus label name')
        .optional(),
      ...backendFields,
    })
    .optional(),
  controlPlane: z
    .strictObject({
      url: z.url(),
      /** the dashboard's own credential (join token or projected service-account token) */
      tokenFile: z.string().min(1).optional(),
    })
    .optional(),
  /** trace ingest: on by default; `tokenFile` gives it its own bearer token */
  ingest: z
    .strictObject({
      enabled: z.boolean().default(true),
      tokenFile: z.string().min(1).optional(),
    })
    .optional(),
  scrape: z
    .strictObject({
      interval: duration.optional(),
      timeout: duration.optional(),
      bodyLimitBytes: z.number().int().positive().optional(),
      concurrency: z.number().int().positive().optional(),
      /** a target whose scrape has more series is capped, its scrape dropped (default 50,000) */
      seriesLimit: z.number().int().positive().optional(),
      /** resources and edges one target may feed (default 1,000): a churning label is capped */
      resourceLimit: z.number().int().positive().optional(),
      /** parser worker threads (0: main thread) */
      workers: z.number().int().min(0).max(8).optional(),
      staticConfigs: z.array(staticConfigSchema).default([]),
      kubernetes: z
        .strictObject({
          enabled: z.boolean().default(false),
          namespaces: z.array(z.string()).optional(),
        })
        .optional(),
    })
    .default({ staticConfigs: [] }),
  retention: duration.optional(),
  /** live request tap (GET /api/v1/tap) */
  tap: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** total tapped requests per second of one tap, split across its proxies */
      maxRps: z.number().positive().max(1000).optional(),
      /** events buffered per browser before dropping */
      bufferEvents: z.number().int().min(10).max(100_000).optional(),
      /** the dashboard's mesh identity, certified by the control plane with --control-plane-token-file */
      identity: z
        .strictObject({
          namespace: z.string().min(1).default('meshlens'),
          serviceAccount: z.string().min(1).default('meshlens-dashboard'),
          trustDomain: z.string().min(1).default('cluster.local'),
        })
        .optional(),
      /** a tap token file shared with the proxies (--tap-token-file), where there is no mTLS */
      tokenFile: z.string().min(1).optional(),
    })
    .optional(),
  traces: z
    .strictObject({
      /** where trace search and trace-by-id read: memory (default), jaeger or tempo */
      source: z.enum(TRACE_SOURCE_KINDS).optional(),
      /** Jaeger query service or Tempo HTTP API */
      url: z.url().optional(),
      ...backendFields,
      maxSpans: z.number().int().positive().optional(),
      maxBytes: z.number().int().positive().optional(),
      maxBodyBytes: z.number().int().positive().optional(),
      ratePerSecond: z.number().positive().optional(),
      burst: z.number().int().positive().optional(),
    })
    .optional(),
});
export type BffConfig = z.output<typeof bffConfigSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Static targets as the embedded source wants them: full URL + target labels. */
export function staticTargets(cfg: BffConfig): { url: string; labels: Record<string, string> }[] {
  return cfg.scrape.staticConfigs.flatMap((sc) =>
    sc.targets.map((t) => ({
      url: /^https?:\/\//.test(t) ? t : `${sc.scheme}://${t}${sc.metricsPath}`,
      labels: { ...sc.labels },
    })),
  );
}

export function parseConfig(raw: unknown, file = 'config'): BffConfig {
  const r = bffConfigSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new ConfigError(`${file}: invalid BFF config:\n  ${problems.join('\n  ')}`);
}

export async function loadConfigFile(file: string): Promise<BffConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `${file}: cannot read config file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(
      `${file}: not valid YAML: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return parseConfig(raw, file);
}
