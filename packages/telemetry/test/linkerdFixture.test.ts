import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestScrape } from '../src/dialects/ingest';
import { emptySeriesState } from '../src/dialects/seriesState';
import { COL } from '../src/model';
import { QueryEngine } from '../src/query/engine';
import { TelemetryStore } from '../src/store/store';
import { testdataDir } from './helpers/testdata';

const dir = testdataDir();
const target = { namespace: 'emojivoto', deployment: 'web', pod: 'web-5f8d-abcde' };

/** Doubles every counter and histogram sample; gauges stay as they are. */
function doubled(text: string): string {
  let gauge = false;
  return text
    .split('\n')
    .map((line) => {
      const type = /^# TYPE \S+ (\w+)/.exec(line);
      if (type) gauge = type[1] === 'gauge';
      if (line.startsWith('#') || line === '' || gauge) return line;
      return line.replace(/ (\d+(?:\.\d+)?)$/, (_m, v: string) => ` ${Number(v) * 2}`);
    })
    .join('\n');
}

describe.skipIf(!dir)('real linkerd2-proxy scrape (testdata/linkerd/proxy-metrics.txt)', () => {
  const text = dir ? readFileSync(path.join(dir, 'linkerd/proxy-metrics.txt'), 'utf8') : '';

  it('folds the inbound HTTP and TCP series into the scraped workload and pod', () => {
    const { result } = ingestScrape(text, 'text/plain; version=0.0.4', target, emptySeriesState());
    expect(result.dialect).toBe('linkerd');
    const wl = result.records.find((r) => r.view === 'workload');
    expect(wl?.resource).toEqual({ namespace: 'emojivoto', name: 'web' });
    expect(wl?.absolute[COL.success]).toBe(29);
    expect(wl?.absolute[COL.failure]).toBe(0);
    expect(wl?.absolute[COL.plainRequests]).toBe(29 + 30); // responses + tcp opens, all no_identity
    expect(wl?.absolute[COL.tcpOpenTotal]).toBe(30);
    expect(wl?.absolute[COL.tcpCloseTotal]).toBe(29);
    expect(wl?.absolute[COL.tcpReadBytes]).toBe(3073);
    expect(wl?.absolute[COL.tcpWriteBytes]).toBe(63256);
    expect(wl?.openConnections).toBe(1);
    expect(wl?.les).toHaveLength(26);
    expect(wl?.deltas.every((d) => d === 0)).toBe(true); // first scrape: no increase yet
    expect(result.records.find((r) => r.view === 'pod')?.resource).toEqual({
      namespace: 'emojivoto',
      name: 'web-5f8d-abcde',
    });
  });

  it('folds outbound TCP to the dst_* workload as an mTLS edge with the server identity', () => {
    const { result } = ingestScrape(text, undefined, target, emptySeriesState());
    const edges = result.records.filter((r) => r.view === 'edge');
    expect(edges).toHaveLength(1);
    const e = edges[0];
    expect(e?.destination).toEqual({
      kind: 'workload',
      namespace: 'linkerd-opaque-ports-test',
      name: 'opaque-pod',
    });
    expect(e?.absolute[COL.tcpOpenTotal]).toBe(1);
    expect(e?.absolute[COL.tlsRequests]).toBe(1);
    expect(e?.absolute[COL.tcpReadBytes]).toBe(8323);
    expect(e?.absolute[COL.tcpWriteBytes]).toBe(3763);
    expect(e?.serverId).toBe(
      'default.linkerd-opaque-ports-test.serviceaccount.identity.linkerd.cluster.local',
    );
  });

  it('takes app, version and cluster from the target labels discovery attaches', () => {
    const store = new TelemetryStore({ intervalMs: 10_000 });
    const engine = new QueryEngine(store, { intervalMs: 10_000, now: () => 10_000 });
    // meshlens's control-plane discovery names the app `service`
    const labelled = { ...target, service: 'web-svc', version: 'v2', cluster: 'east' };
    let state = emptySeriesState();
    for (const [t, body] of [
      [0, text],
      [10_000, doubled(text)],
    ] as const) {
      const out = ingestScrape(body, undefined, labelled, state);
      state = out.state;
      store.beginRound(t);
      for (const r of out.result.records) store.add(r, 'web-pod');
      store.commitRound();
    }
    const range = { from: 0, to: 10_000 };
    const [row] = engine.stat({ kind: 'workload', ...range }).rows;
    expect([row?.name, row?.app, row?.version, row?.cluster]).toEqual([
      'web',
      'web-svc',
      'v2',
      'east',
    ]);
    const [pod] = engine.stat({ kind: 'pod', ...range }).rows;
    expect(pod?.version).toBe('v2');
    // `app` wins over `service` when the pod carries it
    const out = ingestScrape(text, undefined, { ...labelled, app: 'frontend' }, emptySeriesState());
    expect(out.result.records.find((r) => r.view === 'workload')?.labels).toEqual({
      app: 'frontend',
      version: 'v2',
      cluster: 'east',
    });
  });

  it('gives the exact inbound stats over a window between two scrapes', () => {
    const store = new TelemetryStore({ intervalMs: 10_000 });
    const engine = new QueryEngine(store, { intervalMs: 10_000, now: () => 10_000 });
    let state = emptySeriesState();
    for (const [t, body] of [
      [0, text],
      [10_000, doubled(text)],
    ] as const) {
      const out = ingestScrape(body, undefined, target, state);
      state = out.state;
      store.beginRound(t);
      for (const r of out.result.records) store.add(r, 'web-pod');
      store.commitRound();
    }
    const [row] = engine.stat({ kind: 'workload', from: 0, to: 10_000 }).rows;
    expect(row).toMatchObject({ namespace: 'emojivoto', kind: 'workload', name: 'web' });
    expect(row?.requests).toEqual({ success: 29, failure: 0 });
    expect(row?.successRate).toBe(1);
    expect(row?.rps).toBeCloseTo(2.9, 12);
    // all 29 responses in the first bucket (le=1ms): linear interpolation from 0
    expect(row?.latencyMs).toEqual({ p50: 0.5, p95: 0.95, p99: 0.99 });
    expect(row?.tcp).toEqual({
      openConnections: 1,
      readBytesPerSec: 307.3,
      writeBytesPerSec: 6325.6,
    });
    expect(row?.instances).toBe(1);
    // no version/app/cluster target labels: the row has none
    expect([row?.app, row?.version, row?.cluster]).toEqual([undefined, undefined, undefined]);
    const [edge] = engine.edges({ kind: 'workload', from: 0, to: 10_000 }).edges;
    expect(edge?.mtls).toBe('mtls');
    expect(edge?.tcp.readBytesPerSec).toBeCloseTo(832.3, 9);
    expect(edge?.successRate).toBeNull();
  });
});
