import type { FamilyCheck } from '@meshlens/contract';
import type { PromClient } from './promClient';
import { promRange, selector } from './promql';

export interface PromDiagnosis {
  dialect: 'linkerd' | 'istio' | null;
  families: FamilyCheck[];
  /** the PromQL (and label look-ups) that were run, in order */
  queries: string[];
  hints: string[];
}

interface Expected {
  family: string;
  dialect: 'linkerd' | 'istio';
  purpose: string;
  labels: string[];
}

/** The families and labels the dashboard's PromQL reads (see promql.ts). */
const EXPECTED: readonly Expected[] = [
  {
    family: 'response_total',
    dialect: 'linkerd',
    purpose: 'requests, success rate, edges',
    labels: [
      'direction',
      'classification',
      'namespace',
      'deployment',
      'pod',
      'dst_namespace',
      'dst_deployment',
      'dst_service',
      'tls',
    ],
  },
  {
    family: 'response_latency_ms_bucket',
    dialect: 'linkerd',
    purpose: 'latency percentiles',
    labels: ['le', 'direction', 'namespace', 'deployment'],
  },
  {
    family: 'tcp_read_bytes_total',
    dialect: 'linkerd',
    purpose: 'TCP throughput',
    labels: ['direction', 'peer', 'namespace', 'deployment'],
  },
  {
    family: 'istio_requests_total',
    dialect: 'istio',
    purpose: 'requests, success rate, edges',
    labels: [
      'reporter',
      'response_code',
      'source_workload',
      'source_workload_namespace',
      'destination_workload',
      'destination_workload_namespace',
      'destination_service_name',
      'destination_service_namespace',
      'connection_security_policy',
    ],
  },
  {
    family: 'istio_request_duration_milliseconds_bucket',
    dialect: 'istio',
    purpose: 'latency percentiles',
    labels: ['le', 'reporter', 'destination_workload', 'destination_workload_namespace'],
  },
  {
    family: 'istio_tcp_received_bytes_total',
    dialect: 'istio',
    purpose: 'TCP throughput',
    labels: ['reporter', 'destination_workload', 'destination_workload_namespace'],
  },
];

const TARGET_LABELS = new Set(['namespace', 'deployment', 'pod']);

function hintFor(c: FamilyCheck): string | undefined {
  if (c.series === 0 || c.labelsMissing.length === 0) return undefined;
  const missing = c.labelsMissing.map((l) => `\`${l}\``).join(', ');
  const target = c.labelsMissing.filter((l) => TARGET_LABELS.has(l));
  if (c.dialect === 'linkerd' && target.length > 0)
    return `${c.family} has no ${missing} label: namespace, deployment and pod are target labels; add them in the scrape config (Kubernetes relabeling of __meta_kubernetes_namespace, the pod's owner and __meta_kubernetes_pod_name, as Linkerd's Prometheus config does) so workloads and pods can be told apart.`;
  if (c.labelsMissing.includes('reporter'))
    return `${c.family} has no \`reporter\` label: the dashboard reads reporter="destination" for workload stats and reporter="source" for edges; do not drop it in relabeling or recording rules.`;
  if (c.labelsMissing.some((l) => l.startsWith('dst_')))
    return `${c.family} has no ${missing} label: outbound edges need the destination labels the proxy adds; check that relabeling keeps them.`;
  return `${c.family} has no ${missing} label: views that group by it stay empty.`;
}

/**
 * Which mesh metric families and labels the Prometheus-compatible store holds. Uses only
 * instant queries and /api/v1/labels, which Thanos, Mimir and Cortex serve (no /status, no
 * /metadata).
 */
export async function diagnosePrometheus(
  client: PromClient,
  nowMs: number,
): Promise<PromDiagnosis> {
  const queries: string[] = [];
  const names = EXPECTED.map((e) => e.family).join('|');
  const found = `count by (__name__) ({__name__=~"${names}"})`;
  queries.push(found);
  const counts = new Map<string, number>();
  for (const s of await client.query(found, nowMs)) {
    const n = s.labels.__name__;
    if (n !== undefined) counts.set(n, s.value);
  }
  const families: FamilyCheck[] = [];
  for (const e of EXPECTED) {
    const series = counts.get(e.family) ?? 0;
    let names: string[] = [];
    if (series > 0) {
      queries.push(`GET /api/v1/labels?match[]=${e.family} (last hour)`);
      names = await client.labelNames(e.family, nowMs - 3_600_000, nowMs);
    }
    const have = new Set(names);
    families.push({
      family: e.family,
      dialect: e.dialect,
      purpose: e.purpose,
      series,
      labelsFound: e.labels.filter((l) => have.has(l)),
      labelsMissing: e.labels.filter((l) => !have.has(l)),
    });
  }
  const total = (d: 'linkerd' | 'istio') =>
    families.filter((f) => f.dialect === d).reduce((a, f) => a + f.series, 0);
  const dialect =
    total('linkerd') === 0 && total('istio') === 0
      ? null
      : total('istio') > total('linkerd')
        ? 'istio'
        : 'linkerd';
  const hints: string[] = [];
  if (dialect === null) {
    hints.push(
      'No mesh metrics found: Prometheus holds neither response_total (Linkerd, meshlens) nor istio_requests_total (Istio). Check that it scrapes the proxies (their admin port, /metrics) and that this URL points at the right tenant.',
    );
  } else {
    // the workload query the dashboard runs, to show whether it returns anything
    const req = dialect === 'istio' ? 'istio_requests_total' : 'response_total';
    const by =
      dialect === 'istio'
        ? 'destination_workload_namespace,destination_workload'
        : 'namespace,deployment';
    const m = dialect === 'istio' ? { reporter: 'destination' } : { direction: 'inbound' };
    // only series that carry the grouping labels make rows: without them every series sums
    // into one group with empty names, which the table cannot show
    const named = by
      .split(',')
      .map((l) => `${l}!=""`)
      .join(',');
    const sel = `${selector(req, m).slice(0, -1)},${named}}`;
    const q = `count(sum by (${by}) (increase(${sel}${promRange(3_600_000)})))`;
    queries.push(q);
    const rows = (await client.query(q, nowMs))[0]?.value ?? 0;
    if (rows === 0)
      hints.push(
        `The workload query (${selector(req, m)} by ${by}) finds no series in the last hour: the workload table will be empty.`,
      );
  }
  for (const f of families) {
    const h = hintFor(f);
    if (h) hints.push(h);
  }
  return { dialect, families, queries, hints };
}
