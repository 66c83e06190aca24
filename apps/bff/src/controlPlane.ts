import {
  type ControlPlaneResponse,
  type ControlPlaneStatus,
  type ProxyInfo,
  configObjectSchema,
  proxyInfoSchema,
} from '@meshlens/contract';
import * as z from 'zod';

/** What the BFF needs of `@meshlens/cp-client`'s ControlPlaneClient. */
export interface ControlPlaneLike {
  status(): Promise<unknown>;
  listEndpoints(): Promise<unknown>;
}

export type ControlPlaneView = () => Promise<ControlPlaneResponse>;

const count = z.union([z.number(), z.array(z.unknown()).transform((a) => a.length)]);
const isoOrNull = z
  .union([z.string(), z.number().transform((n) => new Date(n).toISOString())])
  .nullish()
  .transform((v) => v ?? null);

const configErrorsInput = z.looseObject({
  at: z.string().optional(),
  errors: z.array(
    z.looseObject({
      file: z.string().optional(),
      object: z.string().optional(),
      field: z.string().optional(),
      message: z.string(),
    }),
  ),
});

/** `{at, errors: [{file, object, field, message}]}` -> one readable line. */
function configErrorText(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  const parsed = configErrorsInput.safeParse(v);
  if (!parsed.success) return 'the last config was rejected';
  const parts = parsed.data.errors.map((e) => {
    const where = [e.file, e.object, e.field].filter((x) => x !== undefined && x !== '').join(' ');
    return where ? `${where}: ${e.message}` : e.message;
  });
  return `${parts.length} config error(s)${parsed.data.at ? ` at ${parsed.data.at}` : ''}: ${parts.join('; ')}`;
}

/** Lenient: the client's status shape may grow; what we show is normalized here. */
const statusInput = z.looseObject({
  version: z.string().default('unknown'),
  configVersion: z.union([z.string(), z.number()]).transform(String).default(''),
  trustDomain: z.string().optional(),
  lastConfigError: z.unknown().optional().transform(configErrorText),
  services: count.optional(),
  endpoints: count.default(0),
  watchers: count.default(0),
  certsIssued: z.number().default(0),
  earliestCertExpiry: isoOrNull,
  caExpiry: isoOrNull,
  configObjects: z.array(configObjectSchema).optional().catch(undefined),
  leader: z.boolean().optional().catch(undefined),
});

/** Dates become ISO strings the way they would on the wire. */
function plain(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

function toStatus(raw: unknown): ControlPlaneStatus {
  const s = statusInput.parse(plain(raw));
  return {
    version: s.version,
    ...(s.trustDomain !== undefined ? { trustDomain: s.trustDomain } : {}),
    ...(s.services !== undefined ? { services: s.services } : {}),
    configVersion: s.configVersion,
    lastConfigError: s.lastConfigError,
    endpoints: s.endpoints,
    watchers: s.watchers,
    certsIssued: s.certsIssued,
    earliestCertExpiry: s.earliestCertExpiry,
    caExpiry: s.caExpiry,
    ...(s.configObjects !== undefined ? { configObjects: s.configObjects } : {}),
    ...(s.leader !== undefined ? { leader: s.leader } : {}),
  };
}

function toProxies(raw: unknown): ProxyInfo[] {
  const list = plain(raw);
  if (!Array.isArray(list)) return [];
  const out: ProxyInfo[] = [];
  for (const item of list) {
    const p = proxyInfoSchema.safeParse(item);
    if (p.success) out.push(p.data);
  }
  return out;
}

function describe(err: unknown): string {
  if (err instanceof z.ZodError) return 'the control plane sent an unexpected status';
  const msg = err instanceof Error ? err.message : String(err);
  // ControlPlaneError: it answered, but refused the dashboard's credential.
  const status = err instanceof Error && 'status' in err ? err.status : undefined;
  if (status === 401 || status === 403) {
    return `control plane refused the dashboard (HTTP ${status}): ${msg}; give the dashboard its own token with --control-plane-token-file`;
  }
  return `control plane unreachable: ${msg}`;
}

/** The Mesh health page's control-plane part, asked at most once per `maxAgeMs`. */
export function createControlPlaneView(opts: {
  url: string | null;
  client: ControlPlaneLike | null;
  now: () => number;
  maxAgeMs?: number;
}): ControlPlaneView {
  const maxAge = opts.maxAgeMs ?? 2000;
  let last: { at: number; value: Promise<ControlPlaneResponse> } | undefined;

  async function fetchNow(): Promise<ControlPlaneResponse> {
    const base = { generatedAt: opts.now(), configured: opts.client !== null, url: opts.url };
    if (!opts.client) return { ...base, reachable: false, error: null, status: null, proxies: [] };
    try {
      const [status, endpoints] = await Promise.all([
        opts.client.status(),
        opts.client.listEndpoints(),
      ]);
      return {
        ...base,
        reachable: true,
        error: null,
        status: toStatus(status),
        proxies: toProxies(endpoints),
      };
    } catch (err) {
      return { ...base, reachable: false, error: describe(err), status: null, proxies: [] };
    }
  }

  return () => {
    if (!last || opts.now() - last.at >= maxAge) last = { at: opts.now(), value: fetchNow() };
    return last.value;
  };
}
