import type { GoldenSignals, Latency, MtlsState } from '@meshlens/contract';
import { histogramQuantiles, type Bucket } from '@meshlens/prom';
import { COL, FIXED_COUNTER_COLUMNS } from '../model';
import type { AggregateWindow } from './window';

export interface Totals {
  success: number;
  failure: number;
  tls: number;
  plain: number;
  readBytes: number;
  writeBytes: number;
  openConnections: number;
  /** le -> summed increase of that bucket */
  buckets: Map<number, number>;
  /** aggregates with at least two samples (i.e. that produced an increase) */
  reporting: number;
}

function emptyTotals(): Totals {
  return {
    success: 0,
    failure: 0,
    tls: 0,
    plain: 0,
    readBytes: 0,
    writeBytes: 0,
    openConnections: 0,
    buckets: new Map(),
    reporting: 0,
  };
}

/** sum(increase(x[w])) over the aggregates, column by column, as PromQL would sum series. */
export function sumWindows(windows: readonly AggregateWindow[]): Totals {
  const t = emptyTotals();
  for (const w of windows) {
    const success = w.increase(COL.success);
    if (success !== undefined) t.reporting++;
    t.success += success ?? 0;
    t.failure += w.increase(COL.failure) ?? 0;
    t.tls += w.increase(COL.tlsRequests) ?? 0;
    t.plain += w.increase(COL.plainRequests) ?? 0;
    t.readBytes += w.increase(COL.tcpReadBytes) ?? 0;
    t.writeBytes += w.increase(COL.tcpWriteBytes) ?? 0;
    t.openConnections += Math.max(0, w.last(w.agg.gaugeColumn) ?? 0);
    w.agg.les.forEach((le, i) => {
      const inc = w.increase(FIXED_COUNTER_COLUMNS + i);
      if (inc !== undefined) t.buckets.set(le, (t.buckets.get(le) ?? 0) + inc);
    });
  }
  return t;
}

/** histogram_quantile(q, sum(rate(bucket[w])) by (le)); null where Prometheus gives NaN. */
export function quantileOf(
  q: number,
  buckets: Map<number, number>,
  rangeSeconds: number,
): number | null {
  return quantilesOf([q], buckets, rangeSeconds)[0] ?? null;
}

function quantilesOf(
  qs: readonly number[],
  buckets: Map<number, number>,
  rangeSeconds: number,
): (number | null)[] {
  if (buckets.size === 0) return qs.map(() => null);
  const list: Bucket[] = [];
  for (const [le, count] of buckets) list.push({ le, count: count / rangeSeconds });
  return histogramQuantiles(qs, list).map((v) => (Number.isFinite(v) ? v : null));
}

const LATENCY_QUANTILES = [0.5, 0.95, 0.99];

export function latencyOf(buckets: Map<number, number>, rangeSeconds: number): Latency {
  const [p50 = null, p95 = null, p99 = null] = quantilesOf(
    LATENCY_QUANTILES,
    buckets,
    rangeSeconds,
  );
  return { p50, p95, p99 };
}

export function goldenSignals(t: Totals, rangeSeconds: number): GoldenSignals {
  const total = t.success + t.failure;
  return {
    successRate: total > 0 ? t.success / total : null,
    rps: total / rangeSeconds,
    latencyMs: total > 0 ? latencyOf(t.buckets, rangeSeconds) : { p50: null, p95: null, p99: null },
    requests: { success: t.success, failure: t.failure },
    tcp: {
      openConnections: t.openConnections,
      readBytesPerSec: t.readBytes / rangeSeconds,
      writeBytesPerSec: t.writeBytes / rangeSeconds,
    },
  };
}

export function mtlsOf(t: Totals): MtlsState {
  if (t.tls > 0 && t.plain > 0) return 'mixed';
  if (t.tls > 0) return 'mtls';
  if (t.plain > 0) return 'plaintext';
  return 'unknown';
}
