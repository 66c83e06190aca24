import { describe, expect, it } from 'vitest';
import { ingestScrape } from '../dialects/ingest';
import { emptySeriesState } from '../dialects/seriesState';
import { QueryEngine } from '../query/engine';
import { decodeStore, encodeStore, SnapshotFormatError } from './snapshot';
import { TelemetryStore } from './store';

const target = { namespace: 'shop', deployment: 'web', pod: 'web-1' };
const outbound = 'direction="outbound",dst_namespace="shop",dst_deployment="catalog",tls="true"';

/** One proxy: inbound successes/failures, an outbound edge to catalog with latency buckets. */
function exposition(n: number): string {
  const bucket = (le: string, v: number) =>
    `response_latency_ms_bucket{${outbound},le="${le}"} ${v}`;
  return [
    '# TYPE response_total counter',
    `response_total{direction="inbound",classification="success",status_code="200",tls="true"} ${100 * n}`,
    `response_total{direction="inbound",classification="failure",status_code="500",tls="true"} ${3 * n}`,
    `response_total{${outbound},classification="success",status_code="200"} ${50 * n}`,
    '# TYPE response_latency_ms histogram',
    bucket('10', 20 * n),
    bucket('100', 45 * n),
    bucket('+Inf', 50 * n),
    `response_latency_ms_sum{${outbound}} ${500 * n}`,
    `response_latency_ms_count{${outbound}} ${50 * n}`,
    '',
  ].join('\n');
}

function filled(rounds: number, retentionMs = 3_600_000): TelemetryStore {
  const store = new TelemetryStore({ intervalMs: 10_000, retentionMs });
  let state = emptySeriesState();
  for (let i = 0; i < rounds; i++) {
    const out = ingestScrape(exposition(i + 1), undefined, target, state);
    state = out.state;
    store.beginRound(i * 10_000);
    for (const r of out.result.records) store.add(r, 'web-1');
    store.commitRound();
  }
  return store;
}

const bytesOf = (store: TelemetryStore) => Buffer.concat([...encodeStore(store)]);

function answers(store: TelemetryStore, to: number, from = to - 300_000) {
  const engine = new QueryEngine(store, { intervalMs: 10_000, now: () => to });
  const range = { from, to };
  return {
    stat: engine.stat({ kind: 'workload', ...range }).rows,
    edges: engine.edges({ kind: 'workload', namespace: 'shop', name: 'web', ...range }).edges,
    p99: engine.histogram({ kind: 'workload', namespace: 'shop', name: 'web', ...range }),
  };
}

describe('store snapshots', () => {
  it('a restored store answers the same golden signals, edges and latency', () => {
    const store = filled(40);
    const restored = new TelemetryStore({ intervalMs: 10_000 });
    decodeStore(restored, bytesOf(store));
    const before = answers(store, 390_000);
    expect(before.stat[0]?.requests).toEqual({ success: 3000, failure: 90 });
    expect(answers(restored, 390_000)).toEqual(before);
    expect(restored.roundCount).toBe(40);
    expect(restored.size).toBe(store.size);
  });

  it('keeps counting from the restored sums: a new round adds its increase only', () => {
    const store = filled(10);
    const restored = new TelemetryStore({ intervalMs: 10_000 });
    decodeStore(restored, bytesOf(store));
    // the same increments go into both: the restored one must stay equal to the original
    let state = emptySeriesState();
    state = ingestScrape(exposition(10), undefined, target, state).state;
    const next = ingestScrape(exposition(11), undefined, target, state).result.records;
    for (const s of [store, restored]) {
      s.beginRound(100_000);
      for (const r of next) s.add(r, 'web-1');
      s.commitRound();
    }
    expect(answers(restored, 100_000)).toEqual(answers(store, 100_000));
    // 10 rounds of 100 + 3, extrapolated towards zero before the first sample as increase() does
    expect(answers(restored, 100_000).stat[0]?.requests).toEqual({ success: 1100, failure: 33 });
  });

  it('a smaller ring keeps only the newest rounds that fit', () => {
    const store = filled(40);
    const small = new TelemetryStore({ intervalMs: 10_000, retentionMs: 100_000 });
    decodeStore(small, bytesOf(store));
    expect(small.firstRound).toBe(40 - small.capacity);
    // rounds 28..39 are what the small ring holds: over them both stores agree
    expect(answers(small, 390_000, 280_000)).toEqual(answers(store, 390_000, 280_000));
    expect(answers(small, 390_000, 280_000).stat[0]?.requests).toEqual({
      success: 1100,
      failure: 33,
    });
  });

  it('rejects cut-short and garbled bytes without touching the store', () => {
    const bytes = bytesOf(filled(5));
    const cases: [Buffer, RegExp][] = [
      [bytes.subarray(0, 2), /shorter than its header/],
      [bytes.subarray(0, 40), /header is cut short/],
      [bytes.subarray(0, bytes.length - 8), /rows are \d+ bytes, the header announces \d+/],
      [Buffer.concat([bytes.subarray(0, 4), Buffer.alloc(bytes.length - 4, 0x7b)]), /not valid/],
    ];
    for (const [bad, message] of cases) {
      const store = new TelemetryStore({ intervalMs: 10_000 });
      expect(() => decodeStore(store, bad)).toThrow(SnapshotFormatError);
      expect(() => decodeStore(store, bad)).toThrow(message);
      expect(store.size).toBe(0);
      expect(store.roundCount).toBe(0);
    }
  });
});
