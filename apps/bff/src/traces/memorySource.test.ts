import type { Span } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { createMemoryTraceSource } from './memorySource';
import { createTraceStore } from './store';

const T1 = '0af7651916cd43dd8448eb211c80319c';
const T2 = '1af7651916cd43dd8448eb211c80319c';

function span(over: Partial<Span> & Pick<Span, 'traceId' | 'spanId'>): Span {
  return {
    name: 'GET /',
    service: 'web',
    kind: 'server',
    startMs: 1000,
    durationMs: 10,
    status: { code: 'unset' },
    attributes: {},
    events: [],
    ...over,
  };
}

describe('memory trace source', () => {
  const store = createTraceStore();
  store.add([
    span({ traceId: T1, spanId: 'a000000000000001', attributes: { 'http.status_code': 503 } }),
    span({
      traceId: T1,
      spanId: 'a000000000000002',
      parentSpanId: 'a000000000000001',
      service: 'cart',
      name: 'POST /cart',
      kind: 'client',
      startMs: 1002,
      durationMs: 3,
      attributes: { error: true },
      resource: { 'k8s.namespace.name': 'shop' },
    }),
    span({ traceId: T2, spanId: 'b000000000000001', startMs: 2000, durationMs: 400 }),
  ]);
  const source = createMemoryTraceSource(store, () => 5000);

  it('counts HTTP 5xx and error=true spans as errors, like the external sources', async () => {
    const [newest, oldest] = await source.search({ limit: 10 });
    expect(newest?.traceId).toBe(T2);
    expect(oldest).toMatchObject({ traceId: T1, errorCount: 2, spanCount: 2, durationMs: 10 });
    expect((await source.search({ limit: 10, error: true })).map((t) => t.traceId)).toEqual([T1]);
    const t = await source.trace(T1);
    expect(t?.spans.map((s) => s.status)).toEqual([
      { code: 'error', message: 'HTTP 503' },
      { code: 'error', message: 'error=true' },
    ]);
  });

  it('filters by operation, span or resource tags and max duration', async () => {
    const ids = async (q: Parameters<typeof source.search>[0]) =>
      (await source.search(q)).map((t) => t.traceId);
    expect(await ids({ limit: 10, operation: 'POST /cart' })).toEqual([T1]);
    expect(await ids({ limit: 10, service: 'web', operation: 'POST /cart' })).toEqual([]);
    expect(await ids({ limit: 10, tags: { 'k8s.namespace.name': 'shop', error: 'true' } })).toEqual(
      [T1],
    );
    expect(await ids({ limit: 10, tags: { 'http.status_code': '503' } })).toEqual([T1]);
    expect(await ids({ limit: 10, maxDurationMs: 100 })).toEqual([T1]);
  });

  it('lists services and their operations', async () => {
    expect(await source.services()).toEqual(['cart', 'web']);
    expect(await source.operations('cart')).toEqual(['POST /cart']);
    expect(source.status()).toEqual({
      kind: 'memory',
      url: null,
      healthy: true,
      lastError: null,
      lastCheckMs: 5000,
    });
  });
});
