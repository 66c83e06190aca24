import {
  edgeId,
  resourceId,
  type Edge,
  type ResourceKind,
  type ResourceRef,
  type StatRow,
} from '@meshlens/contract';
import { histogramQuantile } from '@meshlens/prom';
import type { PromClient, VectorSample } from './promClient';
import { workloadLabels, type WorkloadLabels } from '../model';
import { promRange, selector, type Matchers, type PromDialect } from './promql';

/** The first of `names` that has a value on the series. */
function firstOf(labels: Record<string, string>, names: readonly string[]): string | undefined {
  for (const n of names) if (labels[n]) return labels[n];
  return undefined;
}

const QUANTILES = [0.5, 0.95, 0.99] as const;

interface Acc {
  ref: ResourceRef;
  labels?: WorkloadLabels;
  success: number;
  failure: number;
  latency: (number | null)[];
  read: number;
  write: number;
  open: number;
  instances: number;
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function signals(
  a: Pick<Acc, 'success' | 'failure' | 'latency' | 'read' | 'write' | 'open'>,
  seconds: number,
) {
  const total = a.success + a.failure;
  const [p50 = null, p95 = null, p99 = null] = total > 0 ? a.latency : [];
  return {
    successRate: total > 0 ? a.success / total : null,
    rps: total / seconds,
    latencyMs: { p50, p95, p99 },
    requests: { success: a.success, failure: a.failure },
    tcp: {
      openConnections: Math.max(0, a.open),
      readBytesPerSec: a.read,
      writeBytesPerSec: a.write,
    },
  };
}

/** Stat rows of one kind, as Linkerd's viz asks Prometheus (sum by resource, classification). */
export async function promStat(
  client: PromClient,
  d: PromDialect,
  kind: ResourceKind,
  from: number,
  to: number,
  namespace?: string,
  name?: string,
): Promise<StatRow[]> {
  const g = d.group(kind);
  const filter = g.filter(namespace, name);
  const sel = selector(d.requests, { ...g.matchers, ...filter });
  const bucketSel = selector(d.bucket, { ...g.matchers, ...filter });
  const tcpSel: Matchers = { ...g.tcpMatchers, ...filter };
  const by = g.by.join(',');
  const r = promRange(to - from);
  const wl = d.workloadLabels;
  const labelNames = [...wl.app, ...wl.version, ...wl.cluster];
  // app/version/cluster of workloads: which values their series carry (no numbers needed)
  const labelQuery =
    kind === 'workload'
      ? client.query(`group by (${by},${labelNames.join(',')}) (last_over_time(${sel}${r}))`, to)
      : Promise.resolve([]);
  const [labelled, reqs, read, write, open, instances, ...quantiles] = await Promise.all([
    labelQuery,
    client.query(`sum by (${by},${d.classLabel}) (increase(${sel}${r}))`, to),
    client.query(`sum by (${by}) (rate(${selector(d.tcpRead, tcpSel)}${r}))`, to),
    client.query(`sum by (${by}) (rate(${selector(d.tcpWrite, tcpSel)}${r}))`, to),
    client.query(d.openConnections(tcpSel, g.by), to),
    client.query(`count by (${by}) (count by (${by},instance) (last_over_time(${sel}${r})))`, to),
    ...QUANTILES.map((q) =>
      client.query(`histogram_quantile(${q}, sum by (le,${by}) (rate(${bucketSel}${r})))`, to),
    ),
  ]);
  const rows = new Map<string, Acc>();
  const acc = (s: VectorSample): Acc | undefined => {
    const ref = g.ref(s.labels);
    if (!ref) return undefined;
    const id = resourceId(ref);
    let a = rows.get(id);
    if (!a) {
      a = {
        ref,
        success: 0,
        failure: 0,
        latency: [null, null, null],
        read: 0,
        write: 0,
        open: 0,
        instances: 0,
      };
      rows.set(id, a);
    }
    return a;
  };
  for (const s of labelled) {
    const a = acc(s);
    const l = s.labels;
    const found = workloadLabels(
      firstOf(l, wl.app),
      firstOf(l, wl.version),
      firstOf(l, wl.cluster),
    );
    if (a && found) a.labels = found;
  }
  for (const s of reqs) {
    const a = acc(s);
    if (a && d.isFailure(s.labels)) a.failure += s.value;
    else if (a) a.success += s.value;
  }
  for (const s of read) if (acc(s)) (acc(s) as Acc).read += s.value;
  for (const s of write) if (acc(s)) (acc(s) as Acc).write += s.value;
  for (const s of open) if (acc(s)) (acc(s) as Acc).open += s.value;
  for (const s of instances) if (acc(s)) (acc(s) as Acc).instances = s.value;
  quantiles.forEach((vec, i) => {
    for (const s of vec) {
      const a = acc(s);
      if (a) a.latency[i] = finite(s.value);
    }
  });
  const seconds = (to - from) / 1000;
  return [...rows.values()]
    .map((a) => ({
      ...a.ref,
      ...signals(a, seconds),
      meshed: { total: a.instances },
      instances: a.instances,
      ...a.labels,
    }))
    .sort((x, y) => resourceId(x).localeCompare(resourceId(y)));
}

interface EdgeAcc extends Acc {
  destination: ResourceRef;
  tls: number;
  plain: number;
  buckets: Map<number, number>;
}

function rollup(ref: ResourceRef, kind: ResourceKind): ResourceRef {
  return kind === 'namespace' ? { namespace: ref.namespace, kind, name: ref.namespace } : ref;
}

/** Edges from the client side (Linkerd outbound / Istio reporter=source). */
export async function promEdges(
  client: PromClient,
  d: PromDialect,
  kind: ResourceKind,
  from: number,
  to: number,
): Promise<Edge[]> {
  const e = d.edge;
  const by = e.by.join(',');
  const noTls = e.by.filter((l) => l !== e.tlsLabel).join(',');
  const r = promRange(to - from);
  const [reqs, read, write, open, buckets] = await Promise.all([
    client.query(
      `sum by (${by},${d.classLabel}) (increase(${selector(d.requests, e.matchers)}${r}))`,
      to,
    ),
    client.query(`sum by (${by}) (rate(${selector(d.tcpRead, e.tcpMatchers)}${r}))`, to),
    client.query(`sum by (${by}) (rate(${selector(d.tcpWrite, e.tcpMatchers)}${r}))`, to),
    client.query(d.openConnections(e.tcpMatchers, e.by), to),
    client.query(`sum by (le,${noTls}) (rate(${selector(d.bucket, e.matchers)}${r}))`, to),
  ]);
  const edges = new Map<string, EdgeAcc>();
  const acc = (s: VectorSample): EdgeAcc | undefined => {
    const refs = e.refs(s.labels);
    if (!refs) return undefined;
    const source = rollup(refs.source, kind);
    const destination = rollup(refs.destination, kind);
    const id = edgeId(source, destination);
    let a = edges.get(id);
    if (!a) {
      a = {
        ref: source,
        destination,
        success: 0,
        failure: 0,
        latency: [],
        read: 0,
        write: 0,
        open: 0,
        instances: 0,
        tls: 0,
        plain: 0,
        buckets: new Map(),
      };
      edges.set(id, a);
    }
    return a;
  };
  for (const s of reqs) {
    const a = acc(s);
    if (!a) continue;
    if (d.isFailure(s.labels)) a.failure += s.value;
    else a.success += s.value;
    const tls = e.tls(s.labels);
    if (tls === true) a.tls += s.value;
    if (tls === false) a.plain += s.value;
  }
  for (const s of read) if (acc(s)) (acc(s) as EdgeAcc).read += s.value;
  for (const s of write) if (acc(s)) (acc(s) as EdgeAcc).write += s.value;
  for (const s of open) if (acc(s)) (acc(s) as EdgeAcc).open += s.value;
  for (const s of buckets) {
    const a = acc(s);
    const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
    if (a && !Number.isNaN(le)) a.buckets.set(le, (a.buckets.get(le) ?? 0) + s.value);
  }
  const seconds = (to - from) / 1000;
  const out: Edge[] = [];
  for (const a of edges.values()) {
    const list = [...a.buckets.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([le, count]) => ({ le, count }));
    // same function as PromQL's histogram_quantile, over the same summed bucket rates
    a.latency = QUANTILES.map((q) => (list.length ? finite(histogramQuantile(q, list)) : null));
    out.push({
      source: a.ref,
      destination: a.destination,
      ...signals(a, seconds),
      mtls:
        a.tls > 0 && a.plain > 0
          ? 'mixed'
          : a.tls > 0
            ? 'mtls'
            : a.plain > 0
              ? 'plaintext'
              : 'unknown',
      clientId: null,
      serverId: null,
    });
  }
  const id = (x: Edge) => edgeId(x.source, x.destination);
  return out.sort((x, y) => id(x).localeCompare(id(y)));
}
