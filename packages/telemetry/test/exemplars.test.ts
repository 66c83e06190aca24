import { describe, expect, it } from 'vitest';
import { ingestScrape } from '../src/dialects/ingest';
import { emptySeriesState } from '../src/dialects/seriesState';
import { QueryEngine } from '../src/query/engine';
import { TelemetryStore } from '../src/store/store';

function openMetrics(n: number, traceId: string): string {
  return [
    '# TYPE response_latency_ms histogram',
    `response_latency_ms_bucket{direction="inbound",le="10.0"} ${n}`,
    `response_latency_ms_bucket{direction="inbound",le="100.0"} ${2 * n} # {trace_id="${traceId}"} 42.5 1700000000.123`,
    `response_latency_ms_bucket{direction="inbound",le="+Inf"} ${2 * n}`,
    `response_latency_ms_sum{direction="inbound"} ${60 * n}`,
    `response_latency_ms_count{direction="inbound"} ${2 * n}`,
    '# TYPE response counter',
    `response_total{direction="inbound",classification="success"} ${2 * n}`,
    '# EOF',
    '',
  ].join('\n');
}

describe('exemplars (OpenMetrics)', () => {
  it('keeps the latest trace id per latency bucket and returns it with the histogram', async () => {
    const store = new TelemetryStore({ intervalMs: 10_000 });
    const engine = new QueryEngine(store, { intervalMs: 10_000, now: () => 10_000 });
    let state = emptySeriesState();
    const target = { namespace: 'shop', deployment: 'web', pod: 'web-1' };
    for (const [t, n, trace] of [
      [0, 10, '0af7651916cd43dd8448eb211c80319c'],
      [10_000, 30, '4bf92f3577b34da6a3ce929d0e0e4736'],
    ] as const) {
      const out = ingestScrape(
        openMetrics(n, trace),
        'application/openmetrics-text; version=1.0.0',
        target,
        state,
      );
      state = out.state;
      store.beginRound(t);
      for (const r of out.result.records) store.add(r, 'web-1');
      store.commitRound();
    }
    const h = engine.histogram({
      kind: 'workload',
      namespace: 'shop',
      name: 'web',
      from: 0,
      to: 10_000,
    });
    expect(h?.buckets).toEqual([
      { le: 10, count: 20 },
      {
        le: 100,
        count: 40,
        exemplar: {
          traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
          value: 42.5,
          timestampMs: 1700000000123,
        },
      },
      { le: '+Inf', count: 40 },
    ]);
    expect(engine.stat({ kind: 'workload', from: 0, to: 10_000 }).rows[0]?.requests.success).toBe(
      40,
    );
    await Promise.resolve();
  });
});
