import { DEFAULT_HEALTH_THRESHOLDS, type HealthThresholds } from '../../lib/health';
import { enc, formatSort, parseEnum, parseSort, toSearch, type SortState } from '../../lib/search';
import { DEFAULT_TIME, writeTime, type TimeState } from '../../lib/timeUrl';
import { EDGE_LABELS, type EdgeLabel } from '../topology/graphView';
import { GRAPH_TYPES, type GraphType } from '../topology/graphTypes';

/**
 * Which namespaces are folded into one node: `auto` (all of them above AUTO_COLLAPSE_NODES
 * resources, none below), `all`, or exactly the listed ones (possibly none).
 */
export type CollapseState =
  { kind: 'auto' } | { kind: 'all' } | { kind: 'some'; namespaces: string[] };

/** Above this many resources the graph starts with every namespace collapsed (and says so). */
export const AUTO_COLLAPSE_NODES = 1000;

function parseCollapse(v: string | null): CollapseState {
  if (v === null) return { kind: 'auto' };
  if (v === '*') return { kind: 'all' };
  const namespaces = v
    .split(',')
    .filter((x) => x !== '')
    .map((x) => {
      try {
        return decodeURIComponent(x);
      } catch {
        return x;
      }
    });
  return { kind: 'some', namespaces: [...new Set(namespaces)].sort() };
}

function formatCollapse(c: CollapseState): string | undefined {
  if (c.kind === 'auto') return undefined;
  if (c.kind === 'all') return '*';
  return c.namespaces.map((n) => encodeURIComponent(n)).join(',');
}

export const OVERVIEW_SORT_KEYS = [
  'name',
  'instances',
  'successRate',
  'rps',
  'p50',
  'p95',
  'p99',
  'tcp',
  // compare: change against the baseline period
  'drps',
  'dsr',
  'dp99',
] as const;
export type OverviewSortKey = (typeof OVERVIEW_SORT_KEYS)[number];
/** The graph types (`kind=` in the URL): workload, service, app and versioned app, as Kiali. */
export const RESOURCE_KINDS = GRAPH_TYPES;
export type GraphKind = GraphType;

/** Toolbar names of the graph types. */
export const GRAPH_TYPE_LABELS: Readonly<Record<GraphKind, string>> = {
  workload: 'Workloads',
  service: 'Services',
  app: 'Apps',
  'versioned-app': 'Versioned apps',
};

/** How the page names one resource of a graph type ("No apps with traffic"). */
export const GRAPH_TYPE_NOUNS: Readonly<Record<GraphKind, string>> = {
  workload: 'workload',
  service: 'service',
  app: 'app',
  'versioned-app': 'app version',
};

export interface OverviewUrl {
  /** undefined = all namespaces */
  namespace: string | undefined;
  kind: GraphKind;
  filter: string;
  sort: SortState<OverviewSortKey>;
  /** a node id, or an edge id (`source->target`: node ids never contain `>`) */
  selected: string | undefined;
  /** trace whose path the graph highlights */
  trace: string | undefined;
  thresholds: HealthThresholds;
  time: TimeState;
  /** find expression: matches are highlighted */
  find: string;
  /** hide expression: matches leave the graph with their edges */
  hide: string;
  edgeLabel: EdgeLabel;
  /** namespace boxes around their members */
  boxes: boolean;
  collapse: CollapseState;
}

const DEFAULT_SORT: SortState<OverviewSortKey> = { key: 'rps', dir: 'desc' };

export const DEFAULT_OVERVIEW: OverviewUrl = {
  namespace: undefined,
  kind: 'workload',
  filter: '',
  sort: DEFAULT_SORT,
  selected: undefined,
  trace: undefined,
  thresholds: { ...DEFAULT_HEALTH_THRESHOLDS },
  time: DEFAULT_TIME,
  find: '',
  hide: '',
  edgeLabel: 'rps',
  boxes: true,
  collapse: { kind: 'auto' },
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
    trace: p.get('trace') ?? undefined,
    thresholds: failing <= warning ? { warning, failing } : { ...DEFAULT_HEALTH_THRESHOLDS },
    time,
    find: p.get('find') ?? '',
    hide: p.get('hide') ?? '',
    edgeLabel: parseEnum(p.get('elabel'), EDGE_LABELS, 'rps'),
    boxes: p.get('boxes') !== '0',
    collapse: parseCollapse(p.get('collapse')),
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
  if (s.trace !== undefined) p.set('trace', s.trace);
  if (s.thresholds.warning !== DEFAULT_HEALTH_THRESHOLDS.warning) {
    p.set('warn', pct(s.thresholds.warning));
  }
  if (s.thresholds.failing !== DEFAULT_HEALTH_THRESHOLDS.failing) {
    p.set('fail', pct(s.thresholds.failing));
  }
  if (s.find !== '') p.set('find', s.find);
  if (s.hide !== '') p.set('hide', s.hide);
  if (s.edgeLabel !== 'rps') p.set('elabel', s.edgeLabel);
  if (!s.boxes) p.set('boxes', '0');
  const collapse = formatCollapse(s.collapse);
  if (collapse !== undefined) p.set('collapse', collapse);
  writeTime(p, s.time);
  const path = s.namespace === undefined ? '/' : `/namespaces/${enc(s.namespace)}`;
  return path + toSearch(p);
}
