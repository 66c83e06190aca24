import { describe, expect, it } from 'vitest';
import { ingestScrape } from '../dialects/ingest';
import { emptySeriesState } from '../dialects/seriesState';
import { TelemetryStore } from '../store/store';
import { QueryEngine } from './engine';

const target = { namespace: 'shop', deployment: 'productpage', pod: 'productpage-1' };

/** productpage calling reviews on two rules of one HTTPRoute, and ratings without a route. */
function exposition(n: number): string {
  const out = 'direction="outbound",dst_namespace="shop",tls="true"';
  return [
    '# TYPE response_total counter',
    `response_total{${out},dst_service="reviews",route_name="reviews-canary",route_rule="0",classification="success",status_code="200"} ${9 * n}`,
    `response_total{${out},dst_service="reviews",route_name="reviews-canary",route_rule="1",classification="success",status_code="200"} ${n}`,
    `response_total{${out},dst_service="reviews",route_name="reviews-canary",route_rule="1",classification="failure",status_code="500"} ${n}`,
    `response_total{${out},dst_service="ratings",route_name="default",classification="success",status_code="200"} ${3 * n}`,
    '',
  ].join('\n');
}

describe('per-route signals (embedded source)', () => {
  it('fold route_name/route_rule of outbound series into routes of the service they call', () => {
    const store = new TelemetryStore({ intervalMs: 10_000 });
    let state = emptySeriesState();
    for (const [i, t] of [0, 10_000, 20_000].entries()) {
      const r = ingestScrape(exposition(i * 10), undefined, target, state);
      state = r.state;
      store.beginRound(t);
      for (const rec of r.result.records) store.add(rec, 'productpage-1');
      store.commitRound();
    }
    const engine = new QueryEngine(store, { intervalMs: 10_000, now: () => 20_000 });
    const reviews = engine.routes({ namespace: 'shop', name: 'reviews', from: 0, to: 20_000 });
    expect(
      reviews.routes.map((r) => [r.route, r.rule, r.requests.success, r.requests.failure]),
    ).toEqual([
      ['reviews-canary', '0', 180, 0],
      ['reviews-canary', '1', 20, 20],
    ]);
    expect(reviews.routes[1]?.successRate).toBe(0.5);
    const ratings = engine.routes({ namespace: 'shop', name: 'ratings', from: 0, to: 20_000 });
    expect(ratings.routes.map((r) => [r.route, r.rule, r.rps])).toEqual([['default', '', 3]]);
  });
});
