import { formatSort, parseEnum, parseSort, toSearch, type SortState } from '../../lib/search';
import { writeTime, type TimeState } from '../../lib/timeUrl';

export const MESH_TABS = ['targets', 'proxies', 'processes', 'config'] as const;
export type MeshTab = (typeof MESH_TABS)[number];
export const HEALTH_FILTERS = ['all', 'up', 'down'] as const;
export type HealthFilter = (typeof HEALTH_FILTERS)[number];
export const TARGET_SORT_KEYS = ['url', 'health', 'lastScrape', 'duration', 'series'] as const;
export type TargetSortKey = (typeof TARGET_SORT_KEYS)[number];

export interface MeshHealthUrl {
  tab: MeshTab;
  filter: string;
  health: HealthFilter;
  sort: SortState<TargetSortKey>;
  time: TimeState;
}

const DEFAULT_SORT: SortState<TargetSortKey> = { key: 'health', dir: 'asc' };

export function parseMeshHealthUrl(search: string, time: TimeState): MeshHealthUrl {
  const p = new URLSearchParams(search);
  return {
    tab: parseEnum(p.get('tab'), MESH_TABS, 'targets'),
    filter: p.get('q') ?? '',
    health: parseEnum(p.get('health'), HEALTH_FILTERS, 'all'),
    sort: parseSort(p.get('sort'), TARGET_SORT_KEYS, DEFAULT_SORT),
    time,
  };
}

export function buildMeshHealthUrl(s: MeshHealthUrl): string {
  const p = new URLSearchParams();
  if (s.tab !== 'targets') p.set('tab', s.tab);
  if (s.filter !== '') p.set('q', s.filter);
  if (s.health !== 'all') p.set('health', s.health);
  if (s.sort.key !== DEFAULT_SORT.key || s.sort.dir !== DEFAULT_SORT.dir) {
    p.set('sort', formatSort(s.sort));
  }
  writeTime(p, s.time);
  return `/controlplane${toSearch(p)}`;
}
