import { parseDurationMs } from '@meshlens/contract';
import type { BackendHttpOptions } from '@meshlens/telemetry';
import * as z from 'zod';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** headers the options below own: setting them twice would be ambiguous */
const RESERVED = new Set(['authorization', 'x-scope-orgid', 'host', 'content-length']);

export const headersSchema = z
  .record(
    z.string().regex(HEADER_NAME, 'must be an HTTP header name'),
    z.string().regex(/^[^\r\n]*$/, 'must not contain line breaks'),
  )
  .refine(
    (h) => Object.keys(h).every((k) => !RESERVED.has(k.toLowerCase())),
    'use tenant, bearerTokenFile or basicAuth instead of setting Authorization/X-Scope-OrgID here',
  );

const timeoutSchema = z.preprocess(
  (v) => (typeof v === 'string' ? (parseDurationMs(v) ?? v) : v),
  z.number({ error: 'must be a duration like 10s or a number of milliseconds' }).int().positive(),
);

/**
 * How the BFF reaches an external backend; the same keys for `prometheus:` and `traces:`.
 * Secrets live in files (mounted Secrets), never in this file or on the command line.
 */
export const backendFields = {
  headers: headersSchema.optional(),
  /** Mimir, Cortex, Tempo multi-tenancy: sent as X-Scope-OrgID */
  tenant: z
    .string()
    .min(1)
    .regex(/^[^\r\n]*$/)
    .optional(),
  bearerTokenFile: z.string().min(1).optional(),
  basicAuth: z
    .strictObject({ username: z.string().min(1), passwordFile: z.string().min(1) })
    .optional(),
  tls: z
    .strictObject({
      caFile: z.string().min(1).optional(),
      certFile: z.string().min(1).optional(),
      keyFile: z.string().min(1).optional(),
      serverName: z.string().min(1).optional(),
      insecureSkipVerify: z.boolean().optional(),
    })
    .refine(
      (t) => (t.certFile === undefined) === (t.keyFile === undefined),
      'certFile and keyFile go together',
    )
    .optional(),
  timeout: timeoutSchema.optional(),
};

export type BackendConfig = z.output<z.ZodObject<typeof backendFields>>;

/** The flags that override a backend's config (`--prometheus-tenant`, `--traces-ca-file`, ...). */
export interface BackendFlags {
  headers?: Record<string, string> | undefined;
  tenant?: string | undefined;
  bearerTokenFile?: string | undefined;
  caFile?: string | undefined;
  timeoutMs?: number | undefined;
}

/** Parses repeated `--x-header 'Name: value'` flags; throws naming the bad one. */
export function parseHeaderFlags(flag: string, values: readonly string[] | undefined) {
  if (!values) return undefined;
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf(':');
    const name = i > 0 ? v.slice(0, i).trim() : '';
    if (!HEADER_NAME.test(name))
      throw new Error(`--${flag}: expected "Name: value", got ${JSON.stringify(v)}`);
    out[name] = v.slice(i + 1).trim();
  }
  const r = headersSchema.safeParse(out);
  if (!r.success) throw new Error(`--${flag}: ${r.error.issues[0]?.message ?? 'invalid header'}`);
  return r.data;
}

/** Config file values with flags on top (flags win field by field). */
export function backendOptions(
  cfg: BackendConfig | undefined,
  flags: BackendFlags,
): BackendHttpOptions {
  const c = cfg ?? {};
  const headers = { ...c.headers, ...flags.headers };
  const caFile = flags.caFile ?? c.tls?.caFile;
  const tls = c.tls || caFile ? { ...c.tls, ...(caFile ? { caFile } : {}) } : undefined;
  const bearer = flags.bearerTokenFile ?? c.bearerTokenFile;
  const tenant = flags.tenant ?? c.tenant;
  const timeoutMs = flags.timeoutMs ?? c.timeout;
  return {
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(tenant ? { tenant } : {}),
    ...(bearer ? { bearerTokenFile: bearer } : {}),
    // a bearer token from the command line replaces basic auth from the file
    ...(!flags.bearerTokenFile && c.basicAuth ? { basicAuth: c.basicAuth } : {}),
    ...(tls ? { tls } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
  };
}
