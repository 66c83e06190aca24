import type { Discovery, TargetHealth } from '@meshlens/contract';
import type { DialectName } from '../model';

/** One /metrics endpoint and the labels whoever discovered it attaches (namespace, deployment, pod...). */
export interface ScrapeTarget {
  url: string;
  labels: Record<string, string>;
  discovery: Discovery;
}

/** A source of targets (static list, control-plane registry, Kubernetes pods). */
export interface TargetDiscovery {
  readonly kind: Discovery;
  /** current targets; may throw, the loop then keeps the last good list and reports the error */
  targets(): Promise<ScrapeTarget[]>;
  stop?(): void;
}

export interface TargetState {
  target: ScrapeTarget;
  health: TargetHealth;
  lastError: string | null;
  lastScrapeMs: number | null;
  durationMs: number | null;
  series: number;
  dialect: DialectName;
  /** why a per-target limit holds back some or all of this target's data, null when none */
  capped: string | null;
}

export function targetId(t: Pick<ScrapeTarget, 'url' | 'labels'>): string {
  const labels = Object.keys(t.labels)
    .sort()
    .map((k) => [k, t.labels[k]]);
  return JSON.stringify([t.url, labels]);
}
