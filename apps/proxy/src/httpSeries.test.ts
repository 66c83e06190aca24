import { describe, expect, it } from 'vitest';
import { HttpSeriesCache } from './httpSeries';
import { createMetrics, type HttpLabels } from './metrics';
import type { Collectable } from './metricsRegistry';

const labels: HttpLabels = {
  direction: 'outbound',
  authority: 'reviews.shop',
  tls: 'no_identity',
  dst_service: 'reviews',
};
const set = 'direction="outbound",authority="reviews.shop",tls="no_identity",dst_service="reviews"';

function samples(m: Collectable, openMetrics = false): string[] {
  const out: string[] = [];
  m.writeSamples(out, openMetrics);
  return out;
}

describe('HttpSeriesCache', () => {
  it('counts into the same series as the label-object calls, one entry per label set', () => {
    const metrics = createMetrics();
    const cache = new HttpSeriesCache(metrics);
    // a fresh but equal label object finds the same entry
    expect(cache.of({ ...labels })).toBe(cache.of(labels));
    cache.of(labels).requests.inc();
    metrics.requestTotal.inc({ ...labels });
    cache.of(labels).status(200).success.inc();
    cache
      .of(labels)
      .status(200)
      .latency.observe(3.5, { trace_id: 'ab'.repeat(16) });
    expect(samples(metrics.requestTotal)).toEqual([`request_total{${set}} 2`]);
    expect(samples(metrics.responseTotal)).toEqual([
      `response_total{${set},classification="success",status_code="200"} 1`,
    ]);
    const latency = samples(metrics.responseLatency, true);
    expect(latency[2]).toBe(`response_latency_ms_bucket{le="3",${set},status_code="200"} 0`);
    expect(latency[3]).toMatch(
      new RegExp(
        `^response_latency_ms_bucket\\{le="4",${set},status_code="200"\\} 1 # \\{trace_id="(ab){16}"\\} 3\\.5 \\d+(\\.\\d+)?$`,
      ),
    );
  });

  it('keeps counting after the metric is reset (handles look their series up again)', () => {
    const metrics = createMetrics();
    const series = new HttpSeriesCache(metrics).of(labels);
    series.requests.inc();
    metrics.requestTotal.reset();
    series.requests.inc();
    expect(samples(metrics.requestTotal)).toEqual([`request_total{${set}} 1`]);
  });
});
