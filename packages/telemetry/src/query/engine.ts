import {
  edgeId,
  resolveTimeRange,
  resourceId,
  type EdgesQuery,
  type EdgesResponse,
  type Edge,
  type HistogramQuery,
  type HistogramResponse,
  type NamespacesResponse,
  type ResourceKind,
  type ResourceRef,
  type RouteRow,
  type RoutesQuery,
  type RoutesResponse,
  type StatQuery,
  type StatResponse,
  type StatRow,
  type TimeseriesPoint,
  type TimeseriesQuery,
  type TimeseriesResponse,
  type TopologyQuery,
  type TopologyResponse,
} from '@meshlens/contract';
import { FIXED_COUNTER_COLUMNS, type WorkloadLabels } from '../model';
import type { Aggregate } from '../store/aggregate';
import type { TelemetryStore } from '../store/store';
import { buildTopology } from '../topology/buildTopology';
import { goldenSignals, latencyOf, mtlsOf, sumWindows } from './signals';
import { AggregateWindow } from './window';

export interface EngineOptions {
  now?: () => number;
  /** scrape interval, for the default time-series step and the minimum rate window */
  intervalMs: number;
}

interface Group {
  ref: ResourceRef;
  /** aggregates whose traffic the row sums (inbound for workloads) */
  aggs: Aggregate[];
  /** outbound edge aggregates of the resource: they prove it exists and count its instances */
  presence: Aggregate[];
}

/**
 * app/version/cluster of a row, from the aggregates that carry them (a workload that only calls
 * out has them on its edges). Namespaces span apps and versions: none.
 */
function labelsOf(g: Group): WorkloadLabels {
  if (g.ref.kind === 'namespace') return {};
  const withLabels = [...g.aggs, ...g.presence].filter((a) => a.labels !== undefined);
  // the most recently reported wins (a redeploy may change the version)
  withLabels.sort((a, b) => b.lastRound - a.lastRound);
  return withLabels[0]?.labels ?? {};
}

function viewFor(kind: ResourceKind): 'workload' | 'pod' | 'service' {
  return kind === 'pod' ? 'pod' : kind === 'service' ? 'service' : 'workload';
}

/** Answers the BFF's questions from the store, computing as PromQL would over the same samples. */
export class QueryEngine {
  private readonly now: () => number;

  constructor(
    private readonly store: TelemetryStore,
    private readonly opts: EngineOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Resources of a kind, aggregates grouped (namespace kind rolls workloads up). */
  groups(kind: ResourceKind, namespace?: string, name?: string): Group[] {
    const byId = new Map<string, Group>();
    const add = (agg: Aggregate, role: 'aggs' | 'presence') => {
      const ns = agg.resource.namespace;
      const ref: ResourceRef =
        kind === 'namespace'
          ? { namespace: ns, kind, name: ns }
          : { namespace: ns, kind, name: agg.resource.name };
      if (namespace !== undefined && ref.namespace !== namespace) return;
      if (name !== undefined && ref.name !== name) return;
      const id = resourceId(ref);
      let g = byId.get(id);
      if (!g) byId.set(id, (g = { ref, aggs: [], presence: [] }));
      g[role].push(agg);
    };
    for (const agg of this.store.list(viewFor(kind))) add(agg, 'aggs');
    // A workload that only makes calls (a load generator, a batch job) has no inbound series,
    // yet it is meshed and on the graph: list it, idle, as `linkerd viz stat` does.
    if (kind === 'workload' || kind === 'namespace')
      for (const agg of this.store.list('edge')) add(agg, 'presence');
    // ordered by id, each id built once (not twice per comparison)
    return [...byId.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => g);
  }

  stat(q: StatQuery): StatResponse {
    const generatedAt = this.now();
    const range = resolveTimeRange(q, generatedAt);
    const rows = this.groups(q.kind, q.namespace, q.name).map((g) =>
      this.row(g, range.from, range.to),
    );
    return { generatedAt, window: range, kind: q.kind, rows };
  }

  private row(g: Group, from: number, to: number): StatRow {
    const seconds = (to - from) / 1000;
    const windows = g.aggs.map((a) => AggregateWindow.of(this.store, a, from, to));
    const totals = sumWindows(windows);
    const instances = this.instances([...g.aggs, ...g.presence], from);
    return {
      ...g.ref,
      ...goldenSignals(totals, seconds),
      meshed: { total: instances },
      instances,
      ...labelsOf(g),
    };
  }

  /** Distinct targets that reported any of the aggregates since `from`. */
  private instances(aggs: readonly Aggregate[], from: number): number {
    const firstRound = this.store.roundAtOrAfter(from);
    const seen = new Set<string>();
    for (const a of aggs)
      for (const [id, round] of a.reporters) if (round >= firstRound) seen.add(id);
    return seen.size;
  }

  edges(q: EdgesQuery): EdgesResponse {
    const generatedAt = this.now();
    const range = resolveTimeRange(q, generatedAt);
    const edges = this.edgeList(q.kind, range.from, range.to).filter((e) =>
      touches(e, q.namespace, q.name),
    );
    return { generatedAt, window: range, kind: q.kind, edges };
  }

  private edgeList(kind: ResourceKind, from: number, to: number): Edge[] {
    const groups = new Map<
      string,
      { source: ResourceRef; destination: ResourceRef; aggs: Aggregate[] }
    >();
    for (const agg of this.store.list('edge')) {
      const dst = agg.destination;
      if (!dst) continue;
      const rollup = kind === 'namespace';
      const source: ResourceRef = rollup
        ? { kind, namespace: agg.resource.namespace, name: agg.resource.namespace }
        : { kind: 'workload', namespace: agg.resource.namespace, name: agg.resource.name };
      const destination: ResourceRef = rollup
        ? { kind, namespace: dst.namespace, name: dst.namespace }
        : { kind: dst.kind, namespace: dst.namespace, name: dst.name };
      const id = edgeId(source, destination);
      const g = groups.get(id) ?? { source, destination, aggs: [] };
      g.aggs.push(agg);
      groups.set(id, g);
    }
    const seconds = (to - from) / 1000;
    const out: [id: string, edge: Edge][] = [];
    for (const [id, g] of groups) {
      const windows = g.aggs.map((a) => AggregateWindow.of(this.store, a, from, to));
      if (windows.every((w) => w.sampleCount === 0)) continue;
      const totals = sumWindows(windows);
      out.push([
        id,
        {
          source: g.source,
          destination: g.destination,
          ...goldenSignals(totals, seconds),
          mtls: mtlsOf(totals),
          clientId: g.aggs.find((a) => a.clientId)?.clientId ?? null,
          serverId: g.aggs.find((a) => a.serverId)?.serverId ?? null,
        },
      ]);
    }
    return out.sort(([a], [b]) => a.localeCompare(b)).map(([, edge]) => edge);
  }

  topology(q: TopologyQuery): TopologyResponse {
    const generatedAt = this.now();
    const range = resolveTimeRange(q, generatedAt);
    return buildTopology({
      query: q,
      generatedAt,
      window: range,
      rows: this.groups(q.kind).map((g) => this.row(g, range.from, range.to)),
      edges: this.edgeList('workload', range.from, range.to),
    });
  }

  /** Per-route signals of a service, busiest first. */
  routes(q: RoutesQuery): RoutesResponse {
    const generatedAt = this.now();
    const range = resolveTimeRange(q, generatedAt);
    const seconds = (range.to - range.from) / 1000;
    const routes: RouteRow[] = [];
    for (const agg of this.store.list('route')) {
      if (!agg.route || agg.resource.namespace !== q.namespace || agg.resource.name !== q.name)
        continue;
      const w = AggregateWindow.of(this.store, agg, range.from, range.to);
      if (w.sampleCount === 0) continue;
      routes.push({
        route: agg.route.name,
        rule: agg.route.rule,
        ...goldenSignals(sumWindows([w]), seconds),
      });
    }
    routes.sort(
      (a, b) => b.rps - a.rps || a.route.localeCompare(b.route) || a.rule.localeCompare(b.rule),
    );
    return {
      generatedAt,
      window: range,
      service: { namespace: q.namespace, name: q.name },
      routes,
    };
  }

  /** undefined when the resource is unknown (the BFF answers 404). */
  timeseries(q: TimeseriesQuery): TimeseriesResponse | undefined {
    const generatedAt = this.now();
    const range = resolveTimeRange(q, generatedAt);
    const groups = this.groups(q.kind, q.namespace, q.kind === 'namespace' ? undefined : q.name);
    const g = groups[0];
    if (!g) return undefined;
    const span = range.to - range.from;
    const step = q.step ?? Math.max(this.opts.intervalMs, Math.ceil(span / 60 / 1000) * 1000);
    // a rate needs two samples: never look back less than two scrape intervals
    const lookback = Math.max(step, 2 * this.opts.intervalMs + 1);
    const all = g.aggs.map((a) =>
      AggregateWindow.of(this.store, a, range.from - lookback, range.to),
    );
    const points: TimeseriesPoint[] = [];
    for (let t = range.from + step; t <= range.to; t += step) {
      const windows = all.map((w) => w.sub(t - lookback, t));
      const s = goldenSignals(sumWindows(windows), lookback / 1000);
      points.push({ t, successRate: s.successRate, rps: s.rps, ...s.latencyMs });
    }
    return { generatedAt, window: range, resource: g.ref, step, points };
  }

  histogram(q: HistogramQuery): HistogramResponse | undefined {
    const generatedAt = this.now();
    const range = resolveTimeRange(q, generatedAt);
    const g = this.groups(q.kind, q.namespace, q.kind === 'namespace' ? undefined : q.name)[0];
    if (!g) return undefined;
    const windows = g.aggs.map((a) => AggregateWindow.of(this.store, a, range.from, range.to));
    const totals = sumWindows(windows);
    const exemplars = new Map<number, { traceId: string; value: number; timestampMs?: number }>();
    for (const a of g.aggs) {
      for (const ex of a.exemplars.values()) {
        const prev = exemplars.get(ex.le);
        if (!prev || (ex.timestampMs ?? 0) >= (prev.timestampMs ?? 0)) exemplars.set(ex.le, ex);
      }
    }
    const buckets = [...totals.buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([le, count]) => {
        const ex = exemplars.get(le);
        const bucket = { le: Number.isFinite(le) ? le : ('+Inf' as const), count };
        if (!ex) return bucket;
        const ref = { traceId: ex.traceId, value: ex.value };
        return {
          ...bucket,
          exemplar: ex.timestampMs === undefined ? ref : { ...ref, timestampMs: ex.timestampMs },
        };
      });
    return { generatedAt, window: range, resource: g.ref, buckets };
  }

  namespaces(): NamespacesResponse {
    const counts = new Map<string, Set<string>>();
    for (const agg of this.store.list()) {
      const refs = [agg.resource.namespace, agg.destination?.namespace];
      for (const ns of refs) if (ns !== undefined && !counts.has(ns)) counts.set(ns, new Set());
      if (agg.view === 'workload') counts.get(agg.resource.namespace)?.add(agg.resource.name);
    }
    const namespaces = [...counts.entries()]
      .map(([name, wl]) => ({ name, workloads: wl.size }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { generatedAt: this.now(), namespaces };
  }

  /** Latency quantiles of a resource straight from bucket increases (used by tests). */
  latency(kind: ResourceKind, namespace: string, name: string, from: number, to: number) {
    const g = this.groups(kind, namespace, kind === 'namespace' ? undefined : name)[0];
    if (!g) return undefined;
    const totals = sumWindows(g.aggs.map((a) => AggregateWindow.of(this.store, a, from, to)));
    return latencyOf(totals.buckets, (to - from) / 1000);
  }
}

/** Bucket columns start after the fixed counters. */
export const BUCKET_OFFSET = FIXED_COUNTER_COLUMNS;

function touches(e: Edge, namespace: string | undefined, name: string | undefined): boolean {
  const match = (r: ResourceRef) =>
    (namespace === undefined || r.namespace === namespace) &&
    (name === undefined || r.name === name);
  return match(e.source) || match(e.destination);
}
