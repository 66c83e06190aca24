/*
 * `npm run bench:store` (packages/telemetry): the embedded store after a whole retention (1 h of
 * 10 s rounds) at 1,000 targets of ~2,000 Linkerd-style series (100 workloads, 8 outbound edges
 * each), the state the BFF bench cannot reach in its few rounds. Prints the store's bytes, the RSS
 * it added, the bytes float64 rows would take (the layout before issue 15), and query times.
 * Rounds are fed from folded records (parse cost is the other bench's subject).
 */
import { ingestScrape } from '../src/dialects/ingest';
import { emptySeriesState } from '../src/dialects/seriesState';
import type { FoldedRecord } from '../src/model';
import { QueryEngine } from '../src/query/engine';
import { TelemetryStore } from '../src/store/store';

const TARGETS = 1000;
const WORKLOADS = 100;
const INTERVAL_MS = 10_000;
const LE = [1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000];
const LE_MORE = [5000, 10000, 20000, 30000, 40000, 50000];
const CODES = ['200', '201', '204', '301', '404', '500', '503'];

function body(workload: number, n: number): string {
  const flows = ['direction="inbound",tls="true"'];
  for (let d = 1; d <= 8; d++) {
    const w = (workload + d) % WORKLOADS;
    flows.push(
      `direction="outbound",tls="true",dst_namespace="ns-${w % 10}",dst_deployment="wl-${w}",dst_service="wl-${w}"`,
    );
  }
  const out = ['# TYPE response_total counter'];
  const total = (fi: number, ci: number) => (n + 1) * (fi + 1) * (7 - ci) * 10;
  flows.forEach((f, fi) =>
    CODES.forEach((c, ci) => {
      const cls = c.startsWith('5') ? 'failure' : 'success';
      out.push(`response_total{${f},status_code="${c}",classification="${cls}"} ${total(fi, ci)}`);
    }),
  );
  out.push('# TYPE response_latency_ms histogram');
  flows.forEach((f, fi) =>
    CODES.forEach((c, ci) => {
      const t = total(fi, ci);
      [...LE, ...LE_MORE].forEach((le, li) => {
        const share = Math.min(1, (li + 1) / LE.length);
        out.push(
          `response_latency_ms_bucket{${f},status_code="${c}",le="${le}"} ${Math.round(t * share)}`,
        );
      });
      out.push(`response_latency_ms_bucket{${f},status_code="${c}",le="+Inf"} ${t}`);
      out.push(`response_latency_ms_count{${f},status_code="${c}"} ${t}`);
      out.push(`response_latency_ms_sum{${f},status_code="${c}"} ${t * 37}`);
    }),
  );
  out.push('# TYPE tcp_read_bytes_total counter');
  flows.forEach((f, fi) => out.push(`tcp_read_bytes_total{${f}} ${(n + 1) * (fi + 1) * 1000}`));
  return `${out.join('\n')}\n`;
}

function median(f: () => unknown): number {
  const xs: number[] = [];
  for (let i = 0; i < 11; i++) {
    const t = performance.now();
    f();
    xs.push(performance.now() - t);
  }
  return xs.sort((a, b) => a - b)[5] ?? Number.NaN;
}

// one round's records per target, cloned as they arrive from a worker (no strings sliced from
// a body keeping it alive); every round adds the same increments, as steady traffic does
const templates: { id: string; records: FoldedRecord[] }[] = [];
for (let i = 0; i < TARGETS; i++) {
  const w = i % WORKLOADS;
  const labels = { namespace: `ns-${w % 10}`, deployment: `wl-${w}`, pod: `wl-${w}-pod-${i}` };
  const first = ingestScrape(body(w, 0), undefined, labels, emptySeriesState());
  const second = ingestScrape(body(w, 1), undefined, labels, first.state);
  templates.push({ id: `t${i}`, records: structuredClone(second.result.records) });
}
const rssBefore = process.memoryUsage().rss;
const store = new TelemetryStore({ intervalMs: INTERVAL_MS, retentionMs: 3_600_000 });
for (let r = 0; r < store.capacity; r++) {
  store.beginRound(r * INTERVAL_MS);
  for (const t of templates) for (const rec of t.records) store.add(rec, t.id);
  store.commitRound();
}
const rssAdded = process.memoryUsage().rss - rssBefore;
let bytes = 0;
let float64Rows = 0;
for (const a of store.list()) {
  bytes += a.byteLength;
  float64Rows += store.capacity * (a.width * 8 + 8);
}
const now = (store.capacity - 1) * INTERVAL_MS;
const engine = new QueryEngine(store, { intervalMs: INTERVAL_MS, now: () => now });
const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
console.log(`store after ${store.capacity} rounds of ${TARGETS} targets: ${store.size} aggregates`);
console.log(
  `  bytes held ${mb(bytes)}; as float64 rows ${mb(float64Rows)} (x${(bytes / float64Rows).toFixed(2)})`,
);
console.log(`  RSS added while filling ${mb(rssAdded)}`);
const ms = (f: () => unknown) => `${median(f).toFixed(1)} ms`;
console.log(`  stat 1m ${ms(() => engine.stat({ kind: 'workload', window: '1m' }))}`);
console.log(`  topology 1m ${ms(() => engine.topology({ kind: 'workload', window: '1m' }))}`);
console.log(`  stat 1h ${ms(() => engine.stat({ kind: 'workload', window: '1h' }))}`);
