import type { TapEvent } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { TopTable } from './top';

const start = (id: string, path: string, to: string): TapEvent => ({
  type: 'start',
  id,
  ts: 1,
  proxy: { namespace: 'shop', workload: 'web', pod: 'web-0' },
  direction: 'outbound',
  method: 'GET',
  scheme: 'http',
  authority: `${to}.shop`,
  path,
  src: { namespace: 'shop', workload: 'web' },
  dst: { namespace: 'shop', service: to },
  tls: true,
});
const end = (id: string, status: number, ms: number, ts: number, error?: string): TapEvent => ({
  type: 'end',
  id,
  ts,
  status,
  durationMs: ms,
  responseBytes: 0,
  ...(error === undefined ? {} : { error }),
});

describe('TopTable', () => {
  it('groups calls by path (without query) and peer with count, success rate and latencies', () => {
    const t = new TopTable();
    t.add(start('1', '/api/items?page=1', 'catalog'));
    t.add(start('2', '/api/items?page=2', 'catalog'));
    t.add(start('3', '/api/items', 'catalog'));
    t.add(start('4', '/pay', 'payments'));
    t.add(end('1', 200, 10, 100));
    t.add(end('2', 503, 30, 200));
    t.add(end('3', 200, 20, 150));
    t.add(end('4', 403, 5, 300, 'forbidden'));
    t.add(end('unknown', 200, 1, 400));
    expect(t.snapshot()).toEqual([
      {
        key: 'outbound GET /api/items shop/catalog',
        direction: 'outbound',
        method: 'GET',
        path: '/api/items',
        peer: 'shop/catalog',
        count: 3,
        successes: 2,
        minMs: 10,
        p50Ms: 20,
        maxMs: 30,
        lastSeen: 150,
      },
      {
        key: 'outbound GET /pay shop/payments',
        direction: 'outbound',
        method: 'GET',
        path: '/pay',
        peer: 'shop/payments',
        count: 1,
        successes: 0,
        minMs: 5,
        p50Ms: 5,
        maxMs: 5,
        lastSeen: 300,
      },
    ]);
  });

  it('names the outbound peer by the workload actually picked', () => {
    const t = new TopTable();
    t.add(start('1', '/r', 'reviews'));
    t.add({
      type: 'headers',
      id: '1',
      ts: 2,
      status: 200,
      sinceStartMs: 1,
      dst: { namespace: 'shop', workload: 'reviews-v2' },
    });
    t.add(end('1', 200, 4, 3));
    expect(t.snapshot().map((r) => r.peer)).toEqual(['shop/reviews-v2']);
  });
});
