import type { CounterChild, HistogramChild } from './fastMetrics';
import type { HttpLabels, ProxyMetrics } from './metrics';

/** The response series of one label set and status code. */
interface StatusSeries {
  latency: HistogramChild;
  success: CounterChild;
  failure: CounterChild;
}

/** request_total, response_total and response_latency_ms of one label set. */
export class HttpSeries {
  readonly requests: CounterChild;
  private readonly byStatus = new Map<number, StatusSeries>();

  constructor(
    readonly labels: HttpLabels,
    private readonly metrics: ProxyMetrics,
  ) {
    this.requests = metrics.requestTotal.labels(labels);
  }

  status(status: number): StatusSeries {
    let s = this.byStatus.get(status);
    if (s === undefined) {
      const status_code = String(status);
      const labels = this.labels;
      s = {
        latency: this.metrics.responseLatency.labels({ ...labels, status_code }),
        success: this.metrics.responseTotal.labels({
          ...labels,
          classification: 'success',
          status_code,
        }),
        failure: this.metrics.responseTotal.labels({
          ...labels,
          classification: 'failure',
          status_code,
        }),
      };
      this.byStatus.set(status, s);
    }
    return s;
  }
}

/** Keeps the cache bounded when label sets churn (endpoints come and go). */
const MAX_ENTRIES = 10_000;

/**
 * The per-request series, found by ONE key per request: the profile at saturation had three
 * label-key computations per request (request_total, the latency histogram, response_total),
 * each over every label, plus the merged label objects, at ~8 % of the proxy's CPU.
 */
export class HttpSeriesCache {
  private readonly entries = new Map<string, HttpSeries>();
  /** By the labels object itself: the pipelines pass shared label objects (labelSets.ts). */
  private readonly byObject = new WeakMap<HttpLabels, HttpSeries>();

  constructor(private readonly metrics: ProxyMetrics) {}

  /** `labels` must not change afterwards: the series is found again by the object. */
  of(labels: HttpLabels): HttpSeries {
    let s = this.byObject.get(labels);
    if (s !== undefined) return s;
    const key = keyOf(labels);
    s = this.entries.get(key);
    if (s === undefined) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      s = new HttpSeries(labels, this.metrics);
      this.entries.set(key, s);
    }
    this.byObject.set(labels, s);
    return s;
  }
}

function keyOf(labels: HttpLabels): string {
  let key = '';
  for (const k in labels) {
    const v = labels[k as keyof HttpLabels];
    if (v !== undefined) key += `${k}\u0001${v}\u0002`;
  }
  return key;
}
