import {
  resolveTimeRange,
  type Dialect,
  type HistogramResponse,
  type HistoryResponse,
  type RoutesResponse,
  type NamespacesResponse,
  type SourceStatus,
  type StatRow,
  type TargetsResponse,
  type TimeseriesPoint,
  type TimeseriesResponse,
  type TopologyResponse,
} from '@meshlens/contract';
import { NotFoundError } from '../errors';
import { buildTopology } from '../topology/buildTopology';
import type { TelemetrySource } from '../source';
import type { BackendHttpOptions } from '../backend/backendHttp';
import { BackendError } from '../backend/backendError';
import type { z } from 'zod';
import { PromClient, type targetsSchema } from './promClient';
import { diagnosePrometheus, type PromDiagnosis } from './promDiagnosis';
import { promEdges, promStat } from './promQueries';
import { promRoutes } from './promRoutes';
import { istioDialect, linkerdDialect, promRange, selector, type PromDialect } from './promql';

export interface PrometheusSourceOptions extends BackendHttpOptions {
  /** base URL of the Prometheus HTTP API, e.g. http://prometheus:9090, or a Thanos/Mimir query path */
  url: string;
  /** how often onTick fires and health is probed (default 5 s) */
  refreshIntervalMs?: number;
  /** shortest rate() window of time-series points: at least two scrape intervals (default 30 s) */
  minRateWindowMs?: number;
  /** force a dialect instead of probing which metric names exist */
  dialect?: 'linkerd' | 'istio';
  /**
   * the label naming a series' cluster when one Prometheus holds several (default `cluster`,
   * Istio `destination_cluster`); the graph draws a box per cluster
   */
  clusterLabel?: string;
  now?: () => number;
}

export interface PrometheusSource extends TelemetrySource {
  readonly kind: 'prometheus';
  /** base URL, as printed in errors */
  readonly url: string;
  /** the dialect in use (probes when unknown) */
  detectDialect(): Promise<PromDialect>;
  /** which mesh metric families and labels exist, and the PromQL that found out */
  diagnose(): Promise<PromDiagnosis>;
}

const PROBE = 'count by (__name__) ({__name__=~"response_total|istio_requests_total"})';

/** Asks an existing Prometheus the BFF's questions in PromQL (Linkerd viz style, or Istio's). */
export function createPrometheusSource(opts: PrometheusSourceOptions): PrometheusSource {
  const {
    url,
    refreshIntervalMs,
    minRateWindowMs,
    dialect: forced,
    clusterLabel,
    now: clock,
    ...http
  } = opts;
  const client = new PromClient({ url, ...http });
  const now = clock ?? Date.now;
  const refreshMs = refreshIntervalMs ?? 5_000;
  const minRateWindow = minRateWindowMs ?? 30_000;
  const listeners = new Set<() => void>();
  const withCluster = (d: PromDialect): PromDialect =>
    clusterLabel === undefined
      ? d
      : { ...d, workloadLabels: { ...d.workloadLabels, cluster: [clusterLabel] } };
  const linkerd = withCluster(linkerdDialect);
  const istio = withCluster(istioDialect);
  let dialect: PromDialect | undefined =
    forced === 'istio' ? istio : forced === 'linkerd' ? linkerd : undefined;
  let healthy = false;
  let lastTickMs: number | null = null;
  let lastError: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  let targetsApiMissing = false;

  async function detectDialect(): Promise<PromDialect> {
    if (dialect) return dialect;
    const found = await client.query(PROBE, now());
    const count = (n: string) => found.find((s) => s.labels.__name__ === n)?.value ?? 0;
    if (count('response_total') === 0 && count('istio_requests_total') === 0) return linkerd;
    dialect = count('istio_requests_total') > count('response_total') ? istio : linkerd;
    return dialect;
  }

  async function probe(): Promise<void> {
    try {
      await detectDialect();
      await client.query('vector(1)', now());
      healthy = true;
      lastError = null;
      lastTickMs = now();
      for (const l of listeners) l();
    } catch (err) {
      healthy = false;
      lastError = err instanceof Error ? err.message : String(err);
    }
  }

  /**
   * Thanos serves /api/v1/targets but Mimir and Cortex do not (404): then the targets are the
   * `up` series, which every Prometheus-compatible store keeps.
   */
  async function activeTargetsOrUp(): Promise<z.infer<typeof targetsSchema>['activeTargets']> {
    try {
      if (!targetsApiMissing) return (await client.targets()).activeTargets;
    } catch (err) {
      if (!(err instanceof BackendError) || err.kind !== 'not_found') throw err;
      targetsApiMissing = true; // ask once, not on every refresh
    }
    const up = await client.query('up', now());
    return up.map((s) => {
      const { __name__: _name, instance, ...rest } = s.labels;
      const labels: Record<string, string> = { ...rest };
      if (instance !== undefined) labels.instance = instance;
      return { scrapeUrl: instance ?? '', labels, health: s.value === 1 ? 'up' : 'down' };
    });
  }

  function schedule(): void {
    timer = setTimeout(() => {
      void probe().finally(schedule);
    }, refreshMs);
    timer.unref();
  }

  async function statRows(
    kind: StatRow['kind'],
    from: number,
    to: number,
    ns?: string,
    name?: string,
  ) {
    return promStat(client, await detectDialect(), kind, from, to, ns, name);
  }

  const source: PrometheusSource = {
    kind: 'prometheus',
    url: client.url,
    detectDialect,
    diagnose: () => diagnosePrometheus(client, now()),
    async start() {
      await probe();
      schedule();
    },
    stop() {
      clearTimeout(timer);
      return Promise.resolve();
    },
    async stat(q) {
      const generatedAt = now();
      const range = resolveTimeRange(q, generatedAt);
      const rows = await statRows(q.kind, range.from, range.to, q.namespace, q.name);
      return { generatedAt, window: range, kind: q.kind, rows };
    },
    async edges(q) {
      const generatedAt = now();
      const range = resolveTimeRange(q, generatedAt);
      const all = await promEdges(client, await detectDialect(), q.kind, range.from, range.to);
      const match = (r: { namespace: string; name: string }) =>
        (q.namespace === undefined || r.namespace === q.namespace) &&
        (q.name === undefined || r.name === q.name);
      const edges = all.filter((e) => match(e.source) || match(e.destination));
      return { generatedAt, window: range, kind: q.kind, edges };
    },
    async topology(q): Promise<TopologyResponse> {
      const generatedAt = now();
      const range = resolveTimeRange(q, generatedAt);
      const d = await detectDialect();
      const [rows, edges] = await Promise.all([
        statRows(q.kind, range.from, range.to),
        promEdges(client, d, 'workload', range.from, range.to),
      ]);
      return buildTopology({ query: q, generatedAt, window: range, rows, edges });
    },
    async timeseries(q): Promise<TimeseriesResponse> {
      const generatedAt = now();
      const range = resolveTimeRange(q, generatedAt);
      const d = await detectDialect();
      const g = d.group(q.kind);
      const sel = {
        ...g.matchers,
        ...g.filter(q.namespace, q.kind === 'namespace' ? undefined : q.name),
      };
      const span = range.to - range.from;
      const step = q.step ?? Math.max(refreshMs, Math.ceil(span / 60 / 1000) * 1000);
      const r = promRange(Math.max(step, minRateWindow));
      const start = range.from + step;
      if (start > range.to) throw new NotFoundError('the range is shorter than one step');
      const [reqs, ...quantiles] = await Promise.all([
        client.queryRange(
          `sum by (${d.classLabel}) (rate(${selector(d.requests, sel)}${r}))`,
          start,
          range.to,
          step,
        ),
        ...[0.5, 0.95, 0.99].map((p) =>
          client.queryRange(
            `histogram_quantile(${p}, sum by (le) (rate(${selector(d.bucket, sel)}${r})))`,
            start,
            range.to,
            step,
          ),
        ),
      ]);
      if (reqs.length === 0) throw new NotFoundError(`no ${q.kind} ${q.namespace}/${q.name}`);
      const points = new Map<number, TimeseriesPoint & { ok: number; bad: number }>();
      const point = (t: number) => {
        let p = points.get(t);
        if (!p) {
          p = { t, successRate: null, rps: 0, p50: null, p95: null, p99: null, ok: 0, bad: 0 };
          points.set(t, p);
        }
        return p;
      };
      for (const s of reqs) {
        for (const { t, v } of s.points) {
          if (d.isFailure(s.labels)) point(t).bad += v;
          else point(t).ok += v;
        }
      }
      const keys = ['p50', 'p95', 'p99'] as const;
      quantiles.forEach((series, i) => {
        for (const s of series)
          for (const { t, v } of s.points)
            point(t)[keys[i] ?? 'p50'] = Number.isFinite(v) ? v : null;
      });
      const list = [...points.values()]
        .sort((a, b) => a.t - b.t)
        .map(({ ok, bad, ...p }) => ({
          ...p,
          rps: ok + bad,
          successRate: ok + bad > 0 ? ok / (ok + bad) : null,
        }));
      const resource = {
        namespace: q.namespace,
        kind: q.kind,
        name: q.kind === 'namespace' ? q.namespace : q.name,
      };
      return { generatedAt, window: range, resource, step, points: list };
    },
    async histogram(q): Promise<HistogramResponse> {
      const generatedAt = now();
      const range = resolveTimeRange(q, generatedAt);
      const d = await detectDialect();
      const g = d.group(q.kind);
      const sel = selector(d.bucket, {
        ...g.matchers,
        ...g.filter(q.namespace, q.kind === 'namespace' ? undefined : q.name),
      });
      const vec = await client.query(
        `sum by (le) (increase(${sel}${promRange(range.to - range.from)}))`,
        range.to,
      );
      if (vec.length === 0) throw new NotFoundError(`no ${q.kind} ${q.namespace}/${q.name}`);
      const buckets = vec
        .map((s) => ({
          le: s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le),
          count: s.value,
        }))
        .filter((b) => !Number.isNaN(b.le))
        .sort((a, b) => a.le - b.le)
        .map((b) => ({ le: Number.isFinite(b.le) ? b.le : ('+Inf' as const), count: b.count }));
      const resource = {
        namespace: q.namespace,
        kind: q.kind,
        name: q.kind === 'namespace' ? q.namespace : q.name,
      };
      return { generatedAt, window: range, resource, buckets };
    },
    async namespaces(): Promise<NamespacesResponse> {
      const d = await detectDialect();
      const g = d.group('workload');
      const by = g.by.join(',');
      const vec = await client.query(
        `count by (${by}) (last_over_time(${selector(d.requests, g.matchers)}${promRange(3_600_000)}))`,
        now(),
      );
      const counts = new Map<string, number>();
      for (const s of vec) {
        const ref = g.ref(s.labels);
        if (ref) counts.set(ref.namespace, (counts.get(ref.namespace) ?? 0) + 1);
      }
      const namespaces = [...counts.entries()]
        .map(([name, workloads]) => ({ name, workloads }))
        .sort((a, b) => a.name.localeCompare(b.name));
      return { generatedAt: now(), namespaces };
    },
    async routes(q): Promise<RoutesResponse> {
      const generatedAt = now();
      const range = resolveTimeRange(q, generatedAt);
      const d = await detectDialect();
      const routes = await promRoutes(client, d, q.namespace, q.name, range.from, range.to);
      return {
        generatedAt,
        window: range,
        service: { namespace: q.namespace, name: q.name },
        routes,
      };
    },
    async history(): Promise<HistoryResponse> {
      const earliest = await client.headMinTime();
      const t = now();
      return {
        generatedAt: t,
        earliestMs: earliest ?? null,
        latestMs: earliest === undefined ? null : t,
        stepMs: refreshMs,
      };
    },
    async targets(): Promise<TargetsResponse> {
      const activeTargets = await activeTargetsOrUp();
      const dialectName: Dialect = dialect?.name ?? 'unknown';
      const targets = activeTargets.map((t) => {
        const lastScrape = t.lastScrape ? Date.parse(t.lastScrape) : Number.NaN;
        const scraped = Number.isFinite(lastScrape) && lastScrape > 0;
        return {
          url: t.scrapeUrl,
          labels: t.labels,
          health:
            t.health === 'up'
              ? ('up' as const)
              : t.health === 'down'
                ? ('down' as const)
                : ('unknown' as const),
          lastError: t.lastError ? t.lastError : null,
          lastScrapeMs: scraped ? lastScrape : null,
          durationMs:
            scraped && t.lastScrapeDuration !== undefined ? t.lastScrapeDuration * 1000 : null,
          series: 0,
          dialect: dialectName,
          discovery: 'prometheus' as const,
        };
      });
      return { generatedAt: now(), targets };
    },
    status(): SourceStatus {
      return { kind: 'prometheus', healthy, lastTickMs, lastError, tickIntervalMs: refreshMs };
    },
    onTick(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return source;
}
