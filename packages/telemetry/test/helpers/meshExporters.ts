import { serve, type TestServer } from './servers';

/** Linkerd's and Istio's default latency buckets (ms) with the cumulative share of requests at each. */
export const LINKERD_BUCKETS: [number, number][] = [
  [1, 0],
  [2, 0],
  [3, 0],
  [4, 0],
  [5, 0.05],
  [10, 0.2],
  [20, 0.45],
  [30, 0.6],
  [40, 0.7],
  [50, 0.8],
  [100, 0.93],
  [200, 0.97],
  [300, 0.985],
  [400, 0.99],
  [500, 0.995],
  [1000, 1],
  [2000, 1],
  [3000, 1],
  [4000, 1],
  [5000, 1],
  [10000, 1],
  [20000, 1],
  [30000, 1],
  [40000, 1],
  [50000, 1],
];
export const ISTIO_BUCKETS: [number, number][] = [
  [0.5, 0],
  [1, 0.01],
  [5, 0.1],
  [10, 0.3],
  [25, 0.55],
  [50, 0.75],
  [100, 0.9],
  [250, 0.96],
  [500, 0.99],
  [1000, 0.997],
  [2500, 1],
  [5000, 1],
  [10000, 1],
  [30000, 1],
  [60000, 1],
  [300000, 1],
  [600000, 1],
  [1800000, 1],
  [3600000, 1],
];

/**
 * A counter growing at `rate`/s from a base proportional to it. With `resetAtMs` the proxy
 * "restarts": the counter stays flat for 1.2 s (longer than a scrape interval, so every scraper
 * sees the last pre-restart value) and then starts again from 0.
 */
export function counter(rate: number, t0: number, t: number, resetAtMs?: number): number {
  const base = 1000 * rate;
  if (resetAtMs === undefined || t < resetAtMs - 1200) return base + (rate * (t - t0)) / 1000;
  if (t < resetAtMs) return base + (rate * (resetAtMs - 1200 - t0)) / 1000;
  return (rate * (t - resetAtMs)) / 1000;
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
}

interface Flow {
  labels: Record<string, string>;
  success: number;
  failure: number;
}

export interface ExporterSpec {
  dialect: 'linkerd' | 'istio';
  /** target labels both scrapers attach */
  target: Record<string, string>;
  flows: Flow[];
  resetAtMs?: number;
}

/** Exposition of one proxy at time t: request counters by class and a latency histogram per flow. */
export function exposition(spec: ExporterSpec, t0: number, t: number): string {
  const linkerd = spec.dialect === 'linkerd';
  const reqName = linkerd ? 'response_total' : 'istio_requests_total';
  const hist = linkerd ? 'response_latency_ms' : 'istio_request_duration_milliseconds';
  const buckets = linkerd ? LINKERD_BUCKETS : ISTIO_BUCKETS;
  const c = (rate: number) => counter(rate, t0, t, spec.resetAtMs);
  const out = [`# TYPE ${reqName} counter`];
  for (const f of spec.flows) {
    const ok = linkerd
      ? { classification: 'success', status_code: '200' }
      : { response_code: '200' };
    const bad = linkerd
      ? { classification: 'failure', status_code: '500' }
      : { response_code: '503' };
    out.push(`${reqName}{${labelText({ ...f.labels, ...ok })}} ${c(f.success)}`);
    out.push(`${reqName}{${labelText({ ...f.labels, ...bad })}} ${c(f.failure)}`);
  }
  out.push(`# TYPE ${hist} histogram`);
  for (const f of spec.flows) {
    const total = c(f.success + f.failure);
    for (const [le, share] of buckets)
      out.push(`${hist}_bucket{${labelText({ ...f.labels, le: String(le) })}} ${share * total}`);
    out.push(`${hist}_bucket{${labelText({ ...f.labels, le: '+Inf' })}} ${total}`);
    out.push(`${hist}_sum{${labelText(f.labels)}} ${total * 42}`);
    out.push(`${hist}_count{${labelText(f.labels)}} ${total}`);
  }
  return `${out.join('\n')}\n`;
}

export async function startExporter(spec: ExporterSpec, t0: number): Promise<TestServer> {
  return serve((_req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(exposition(spec, t0, Date.now()));
  });
}
