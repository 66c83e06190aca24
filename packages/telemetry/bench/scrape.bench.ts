/*
 * `npm run bench` (packages/telemetry): cost of ingesting one ~2,000-series Linkerd-style scrape.
 * Baseline: @meshlens/prom's parseExposition alone on the same text in the same run; the ratio
 * shows what folding at ingest (per-series increments, dialect routing) adds on top of parsing.
 */
import { parseExposition } from '@meshlens/prom';
import { ingestScrape } from '../src/dialects/ingest';
import { emptySeriesState } from '../src/dialects/seriesState';

const LE = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000,
];
const CODES = ['200', '201', '204', '404', '500', '503', '504'];

function body(n: number): string {
  const out = ['# TYPE response_total counter'];
  const flows = ['direction="inbound",tls="true"'];
  for (let d = 0; d < 8; d++) {
    flows.push(
      `direction="outbound",tls="true",dst_namespace="ns-${d}",dst_deployment="wl-${d}",dst_service="wl-${d}"`,
    );
  }
  for (const f of flows) {
    for (const c of CODES) {
      const cls = c.startsWith('5') ? 'failure' : 'success';
      out.push(`response_total{${f},status_code="${c}",classification="${cls}"} ${n * 10}`);
    }
  }
  out.push('# TYPE response_latency_ms histogram');
  for (const f of flows) {
    for (const c of CODES) {
      for (const le of [...LE.map(String), '+Inf'])
        out.push(`response_latency_ms_bucket{${f},status_code="${c}",le="${le}"} ${n * 10}`);
      out.push(
        `response_latency_ms_sum{${f},status_code="${c}"} ${n * 99}`,
        `response_latency_ms_count{${f},status_code="${c}"} ${n * 10}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

function time(label: string, runs: number, fn: (i: number) => void): number {
  for (let i = 0; i < 20; i++) fn(i);
  const t = performance.now();
  for (let i = 0; i < runs; i++) fn(i);
  const ms = (performance.now() - t) / runs;
  console.log(`${label.padEnd(34)} ${ms.toFixed(2).padStart(8)} ms/scrape`);
  return ms;
}

const texts = [body(1), body(2)];
const lines = (texts[0] ?? '').split('\n').length;
console.log(`one scrape: ${lines} lines, ${((texts[0] ?? '').length / 1024).toFixed(0)} KB`);
const parse = time('baseline: parseExposition only', 200, (i) =>
  parseExposition(texts[i % 2] ?? ''),
);
let state = emptySeriesState();
const labels = { namespace: 'shop', deployment: 'web', pod: 'web-1' };
const ingest = time('ingest: parse + fold + increments', 200, (i) => {
  state = ingestScrape(texts[i % 2] ?? '', undefined, labels, state).state;
});
console.log(
  `ratio ingest / parse: x${(ingest / parse).toFixed(2)}; 1,000 targets per round: ${((ingest * 1000) / 1000).toFixed(1)} s of CPU`,
);
