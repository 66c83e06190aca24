import { DEFAULT_HEALTH_THRESHOLDS, type HealthThresholds } from '../../lib/health';
import { enc, formatSort, parseEnum, parseSort, toSearch, type SortState } from '../../lib/search';
import { DEFAULT_TIME, writeTime, type TimeState } from '../../lib/timeUrl';

export const OVERVIEW_SORT_KEYS = [
  'name',
  'instances',
  'successRate',
  'rps',
  'p50',
  'p95',
  'p99',
  'tcp',
] as const;
export type OverviewSortKey = (typeof OVERVIEW_SORT_KEYS)[number];
export const RESOURCE_KINDS = ['workload', 'service'] as const;
export type GraphKind = (typeof RESOURCE_KINDS)[number];

export interface OverviewUrl {
  /** undefined = all namespaces */
  namespace: string | undefined;
  kind: GraphKind;
  filter: string;
  sort: SortState<OverviewSortKey>;
  selected: string | undefined;
  thresholds: HealthThresholds;
  time: TimeState;
}

const DEFAULT_SORT: SortState<OverviewSortKey> = { key: 'rps', dir: 'desc' };

export const DEFAULT_OVERVIEW: OverviewUrl = {
  namespace: undefined,
  kind: 'workload',
  filter: '',
  sort: DEFAULT_SORT,
  selected: undefined,
  thresholds: { ...DEFAULT_HEALTH_THRESHOLDS },
  time: DEFAULT_TIME,
};

function parsePct(v: string | null, fallback: number): number {
  if (v === null) return fallback;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 && n <= 100 ? n / 100 : fallback;
}

function pct(v: number): string {
  return String(Math.round(v * 10_000) / 100);
}

/** `time` comes from the TimeProvider (the one place time is parsed). */
export function parseOverviewUrl(
  namespace: string | undefined,
  search: string,
  time: TimeState,
): OverviewUrl {
  const p = new URLSearchParams(search);
  const warning = parsePct(p.get('warn'), DEFAULT_HEALTH_THRESHOLDS.warning);
  const failing = parsePct(p.get('fail'), DEFAULT_HEALTH_THRESHOLDS.failing);
  return {
    namespace: namespace === undefined || namespace === '' ? undefined : namespace,
    kind: parseEnum(p.get('kind'), RESOURCE_KINDS, 'workload'),
    filter: p.get('q') ?? '',
    sort: parseSort(p.get('sort'), OVERVIEW_SORT_KEYS, DEFAULT_SORT),
    selected: p.get('sel') ?? undefined,
    thresholds: failing <= warning ? { warning, failing } : { ...DEFAULT_HEALTH_THRESHOLDS },
    time,
  };
}

export function buildOverviewUrl(s: OverviewUrl): string {
  const p = new URLSearchParams();
  if (s.kind !== 'workload') p.set('kind', s.kind);
  if (s.filter !== '') p.set('q', s.filter);
  if (s.sort.key !== DEFAULT_SORT.key || s.sort.dir !== DEFAULT_SORT.dir) {
    p.set('sort', formatSort(s.sort));
  }
  if (s.selected !== undefined) p.set('sel', s.selected);
  if (s.thresholds.warning !== DEFAULT_HEALTH_THRESHOLDS.warning) {
    p.set('warn', pct(s.thresholds.warning));
  }
  if (s.thresholds.failing !== DEFAULT_HEALTH_THRESHOLDS.failing) {
    p.set('fail', pct(s.thresholds.failing));
  }
  writeTime(p, s.time);
  const path = s.namespace === undefined ? '/' : `/namespaces/${enc(s.namespace)}`;
  return path + toSearch(p);
}
