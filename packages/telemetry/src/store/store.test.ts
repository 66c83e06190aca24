import { describe, expect, it } from 'vitest';
import { ingestScrape } from '../dialects/ingest';
import { emptySeriesState } from '../dialects/seriesState';
import { QueryEngine } from '../query/engine';
import { TelemetryStore } from './store';

const target = { namespace: 'shop', deployment: 'web', pod: 'web-1' };

function exposition(success: number, failure: number): string {
  return [
    '# TYPE response_total counter',
    `response_total{direction="inbound",classification="success",status_code="200",tls="true"} ${success}`,
    `response_total{direction="inbound",classification="failure",status_code="500",tls="true"} ${failure}`,
    '',
  ].join('\n');
}

function feed(store: TelemetryStore, rounds: [number, string][]): void {
  let state = emptySeriesState();
  for (const [t, text] of rounds) {
    const out = ingestScrape(text, undefined, target, state);
    state = out.state;
    store.beginRound(t);
    for (const r of out.result.records) store.add(r, 'web-1');
    store.commitRound();
  }
}

describe('store + engine window math', () => {
  it('a restarted proxy (counter reset) gives neither a negative nor a spiking rate', () => {
    const store = new TelemetryStore({ intervalMs: 10_000 });
    feed(store, [
      [0, exposition(1000, 10)],
      [10_000, exposition(1100, 10)],
      [20_000, exposition(40, 0)], // restarted: 40 new successes since
      [30_000, exposition(140, 0)],
    ]);
    const engine = new QueryEngine(store, { intervalMs: 10_000, now: () => 30_000 });
    const [row] = engine.stat({ kind: 'workload', from: 0, to: 30_000 }).rows;
    expect(row?.requests).toEqual({ success: 240, failure: 0 });
    expect(row?.rps).toBe(8);
    const series = engine.timeseries({
      kind: 'workload',
      namespace: 'shop',
      name: 'web',
      from: 0,
      to: 30_000,
      step: 10_000,
    });
    for (const p of series?.points ?? []) expect(p.rps).toBeGreaterThanOrEqual(0);
    // each point looks back two intervals (20 s): the reset round never produces a spike
    expect(series?.points.map((p) => Number(p.rps.toFixed(9)))).toEqual([10, 7, 7]);
  });

  it('evicts rows past retention and forgets aggregates with none left', () => {
    const store = new TelemetryStore({ intervalMs: 10_000, retentionMs: 30_000 });
    expect(store.capacity).toBe(5);
    const rounds: [number, string][] = [];
    for (let i = 0; i < 12; i++) rounds.push([i * 10_000, exposition(i * 10, 0)]);
    feed(store, rounds);
    expect(store.firstRound).toBe(7);
    // the replay slider's bounds: the oldest and newest rounds still held
    expect([store.earliestTime, store.latestTime]).toEqual([70_000, 110_000]);
    expect(store.size).toBe(2); // workload + pod
    store.beginRound(200_000);
    for (let i = 0; i < 6; i++) {
      store.commitRound();
      store.beginRound(210_000 + i * 10_000);
    }
    store.commitRound();
    expect(store.size).toBe(0);
  });

  it('success rate uses the failure classification; idle resources have null success rate', () => {
    const store = new TelemetryStore({ intervalMs: 10_000 });
    feed(store, [
      [0, exposition(0, 0)],
      [10_000, exposition(90, 10)],
      [20_000, exposition(90, 10)],
    ]);
    const engine = new QueryEngine(store, { intervalMs: 10_000, now: () => 20_000 });
    expect(engine.stat({ kind: 'workload', from: 0, to: 10_000 }).rows[0]?.successRate).toBe(0.9);
    const idle = engine.stat({ kind: 'workload', from: 10_000, to: 20_000 }).rows[0];
    expect(idle?.successRate).toBeNull();
    expect(idle?.rps).toBe(0);
    const topo = engine.topology({ kind: 'workload', from: 10_000, to: 20_000 });
    // the viewer colours it idle (`classifyHealth`): no success rate, no rate
    expect(topo.nodes.map((n) => [n.successRate, n.rps])).toEqual([[null, 0]]);
  });
});
