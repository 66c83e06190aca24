import { describe, expect, it } from 'vitest';
import { HttpSeriesCache } from './httpSeries';
import { createMetrics, type HttpLabels } from './metrics';

const labels: HttpLabels = {
  direction: 'outbound',
  authority: 'reviews.shop',
  tls: 'no_identity',
  dst_service: 'reviews',
};

describe('HttpSeriesCache', () => {
  it('counts into the same series as the label-object calls, one entry per label set', async () => {
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
    const requests = (await metrics.requestTotal.get()).values;
    expect(requests).toEqual([{ labels, value: 2 }]);
    const responses = (await metrics.responseTotal.get()).values;
    expect(responses).toEqual([
      { labels: { ...labels, classification: 'success', status_code: '200' }, value: 1 },
    ]);
    const latency = (await metrics.responseLatency.get()).values;
    const le4 = latency.find((v) => v.labels.le === 4);
    expect(le4?.value).toBe(1);
    expect(le4?.exemplar?.labelSet).toEqual({ trace_id: 'ab'.repeat(16) });
    expect(latency.find((v) => v.labels.le === 3)?.value).toBe(0);
  });

  it('keeps counting after the metric is reset (handles look their series up again)', async () => {
    const metrics = createMetrics();
    const series = new HttpSeriesCache(metrics).of(labels);
    series.requests.inc();
    metrics.requestTotal.reset();
    series.requests.inc();
    expect((await metrics.requestTotal.get()).values).toEqual([{ labels, value: 1 }]);
  });
});
