import * as z from 'zod';
import { RESOURCE_KINDS } from './common';

/*
 * Tap: live request events. A proxy emits them on its admin listener (NDJSON, one event per
 * line); the BFF merges the streams of a resource's proxies and forwards them as server-sent
 * events. The same filter schema is used by both hops, so a filter means the same everywhere.
 */

export const TAP_DIRECTIONS = ['inbound', 'outbound'] as const;

export { TAP_ALWAYS_REDACTED } from './tapRedaction';

/** Default total cap of tapped requests per second for one tap (split across the proxies). */
export const DEFAULT_TAP_MAX_RPS = 100;
export const MAX_TAP_MAX_RPS = 1000;

const name = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(253, { error: 'must be at most 253 characters' });

const maxRps = z.preprocess(
  (v) => (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v.trim()) : v),
  z
    .number({ error: 'must be a number of requests per second' })
    .positive({ error: 'must be greater than 0' })
    .max(MAX_TAP_MAX_RPS, { error: `must be at most ${MAX_TAP_MAX_RPS}` }),
);

const bool = z.preprocess(
  (v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v),
  z.boolean({ error: 'must be true or false' }),
);

/** What a tap selects, applied at the source (the proxy). */
export const tapFilterShape = {
  direction: z.enum(TAP_DIRECTIONS, { error: 'must be inbound or outbound' }).optional(),
  method: z
    .string()
    .regex(/^[A-Za-z]{1,16}$/, { error: 'must be an HTTP method like GET' })
    .transform((m) => m.toUpperCase())
    .optional(),
  authority: name.optional(),
  path: z.string().startsWith('/', { error: 'must start with /' }).max(2048).optional(),
  fromNamespace: name.optional(),
  fromWorkload: name.optional(),
  toNamespace: name.optional(),
  toWorkload: name.optional(),
  maxRps: maxRps.optional(),
  /** send header values (sensitive ones are always redacted) */
  headers: bool.optional(),
};

/** The proxy's `GET /tap` query. */
export const proxyTapQuerySchema = z.object(tapFilterShape);
export type ProxyTapQuery = z.output<typeof proxyTapQuerySchema>;

/** The BFF's `GET /api/v1/tap` query: a resource plus the filter. */
export const tapQuerySchema = z
  .object({
    kind: z
      .enum(RESOURCE_KINDS, { error: `must be one of ${RESOURCE_KINDS.join(', ')}` })
      .default('workload'),
    namespace: name.optional(),
    name: name.optional(),
    ...tapFilterShape,
  })
  .superRefine((q, ctx) => {
    if (q.kind !== 'namespace' && q.namespace === undefined) {
      ctx.addIssue({ code: 'custom', path: ['namespace'], message: 'is required' });
    }
    if (q.name === undefined && q.kind !== 'namespace') {
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'is required' });
    }
  });
export type TapQuery = z.output<typeof tapQuerySchema>;

export const tapPeerSchema = z.object({
  namespace: z.string().optional(),
  service: z.string().optional(),
  workload: z.string().optional(),
  pod: z.string().optional(),
  /** verified SPIFFE id (mTLS), absent on plaintext */
  identity: z.string().optional(),
  address: z.string().optional(),
});
export type TapPeer = z.infer<typeof tapPeerSchema>;

const headersSchema = z.record(z.string(), z.string());
const idSchema = z.string().min(1).max(300);

export const tapStartEventSchema = z.object({
  type: z.literal('start'),
  /** unique per request across proxies: `<pod>/<n>` */
  id: idSchema,
  /** epoch ms */
  ts: z.number(),
  proxy: z.object({ namespace: z.string(), workload: z.string(), pod: z.string() }),
  direction: z.enum(TAP_DIRECTIONS),
  method: z.string(),
  scheme: z.enum(['http', 'https']),
  authority: z.string(),
  path: z.string(),
  src: tapPeerSchema,
  dst: tapPeerSchema,
  tls: z.boolean(),
  headers: headersSchema.optional(),
});
export type TapStartEvent = z.infer<typeof tapStartEventSchema>;

export const tapHeadersEventSchema = z.object({
  type: z.literal('headers'),
  id: idSchema,
  ts: z.number(),
  status: z.number().int(),
  /** time from request start to response headers */
  sinceStartMs: z.number().nonnegative(),
  /** the endpoint actually picked (outbound) */
  dst: tapPeerSchema.optional(),
  headers: headersSchema.optional(),
});
export type TapHeadersEvent = z.infer<typeof tapHeadersEventSchema>;

export const tapEndEventSchema = z.object({
  type: z.literal('end'),
  id: idSchema,
  ts: z.number(),
  status: z.number().int(),
  durationMs: z.number().nonnegative(),
  responseBytes: z.number().int().nonnegative(),
  /** proxy error code (`forbidden`, `no-endpoints`, ...) or `stream-reset` */
  error: z.string().optional(),
  /** the proxy's full reason, e.g. `forbidden: no policy allows ...` */
  reason: z.string().optional(),
});
export type TapEndEvent = z.infer<typeof tapEndEventSchema>;

/** Requests that matched but were not sent: over `maxRps`, or a consumer too slow to keep up. */
export const tapDroppedEventSchema = z.object({
  type: z.literal('dropped'),
  ts: z.number(),
  /** dropped since the previous notice */
  count: z.number().int().nonnegative(),
  reason: z.enum(['rate', 'slow-consumer']),
  /** pod whose proxy dropped them; absent when the BFF dropped them */
  pod: z.string().optional(),
});
export type TapDroppedEvent = z.infer<typeof tapDroppedEventSchema>;

export const tapEventSchema = z.discriminatedUnion('type', [
  tapStartEventSchema,
  tapHeadersEventSchema,
  tapEndEventSchema,
  tapDroppedEventSchema,
]);
export type TapEvent = z.infer<typeof tapEventSchema>;

/** The BFF's first SSE event on a tap: what it opened. */
export const tapInfoSchema = z.object({
  generatedAt: z.number(),
  proxies: z.array(z.object({ pod: z.string(), namespace: z.string(), workload: z.string() })),
  /** requests per second each proxy may send (the total cap split across them) */
  perProxyMaxRps: z.number(),
  /** proxies the BFF could not open, with why */
  errors: z.array(z.object({ pod: z.string(), message: z.string() })),
});
export type TapInfo = z.infer<typeof tapInfoSchema>;
