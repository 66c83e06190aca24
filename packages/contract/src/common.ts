import * as z from 'zod';

/** The fixed look-back windows every view offers (Linkerd's defaults plus 10s for "right now"). */
export const WINDOWS = ['10s', '1m', '5m', '15m', '1h'] as const;
export const windowSchema = z.enum(WINDOWS);
export type Window = z.infer<typeof windowSchema>;

export const WINDOW_MS: Readonly<Record<Window, number>> = {
  '10s': 10_000,
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
};

export const DEFAULT_WINDOW: Window = '1m';

export const RESOURCE_KINDS = ['namespace', 'service', 'workload', 'pod'] as const;
export const resourceKindSchema = z.enum(RESOURCE_KINDS);
export type ResourceKind = z.infer<typeof resourceKindSchema>;

/** A resource of the neutral model. For kind `namespace`, `name` and `namespace` are the same. */
export const resourceRefSchema = z.object({
  namespace: z.string(),
  kind: resourceKindSchema,
  name: z.string(),
});
export type ResourceRef = z.infer<typeof resourceRefSchema>;

/**
 * Stable, unique id of a resource (topology node ids, React keys, cache keys).
 * Parts are URI-encoded so hostile names containing separators cannot collide.
 */
export function resourceId(ref: ResourceRef): string {
  return `${ref.kind}:${encodeURIComponent(ref.namespace)}/${encodeURIComponent(ref.name)}`;
}

/**
 * Id of the edge between two resources: the one place this string is written (topology edges,
 * cache keys, React keys, the SPA's selection in the URL). Built from the node ids, so it is as
 * collision-free as `resourceId`.
 */
export function edgeId(source: ResourceRef, destination: ResourceRef): string {
  return `${resourceId(source)}->${resourceId(destination)}`;
}

/** Resolved time range, epoch milliseconds, `from` < `to`. */
export const timeRangeSchema = z.object({ from: z.number(), to: z.number() });
export type TimeRange = z.infer<typeof timeRangeSchema>;

/** Epoch milliseconds at which the server produced a response. */
export const generatedAtSchema = z.number();

export const HEALTH_STATES = ['healthy', 'warning', 'failing', 'idle'] as const;
export const healthSchema = z.enum(HEALTH_STATES);
export type Health = z.infer<typeof healthSchema>;

export interface HealthThresholds {
  /** success rate below this is `warning` (Linkerd: 0.95) */
  warning: number;
  /** success rate below this is `failing` (Linkerd: 0.90) */
  failing: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: Readonly<HealthThresholds> = {
  warning: 0.95,
  failing: 0.9,
};

/** Health as the dashboard colours it: no traffic is `idle`, not healthy. */
export function classifyHealth(
  successRate: number | null,
  rps: number,
  thresholds: HealthThresholds = DEFAULT_HEALTH_THRESHOLDS,
): Health {
  if (successRate === null || rps <= 0) return 'idle';
  if (successRate < thresholds.failing) return 'failing';
  if (successRate < thresholds.warning) return 'warning';
  return 'healthy';
}
