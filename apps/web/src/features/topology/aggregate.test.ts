import type { TopologyEdge, TopologyNode } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { collapseNamespaces } from './aggregate';

function node(namespace: string, name: string, ok: number, bad: number, p99: number | null) {
  const n: TopologyNode = {
    id: `workload:${namespace}/${name}`,
    namespace,
    kind: 'workload',
    name,
    successRate: ok + bad > 0 ? ok / (ok + bad) : null,
    rps: (ok + bad) / 60,
    latencyMs: { p50: p99, p95: p99, p99 },
    requests: { success: ok, failure: bad },
    tcp: { openConnections: 1, readBytesPerSec: 10, writeBytesPerSec: 20 },
    meshed: { ready: 1, total: 2 },
    instances: 2,
  };
  return n;
}

function edge(
  s: TopologyNode,
  t: TopologyNode,
  ok: number,
  bad: number,
  mtls: 'mtls' | 'plaintext',
) {
  const e: TopologyEdge = {
    id: `${s.id}->${t.id}`,
    source: s.id,
    target: t.id,
    successRate: ok / (ok + bad),
    rps: (ok + bad) / 60,
    latencyMs: { p50: 1, p95: 2, p99: ok },
    requests: { success: ok, failure: bad },
    tcp: { openConnections: 0, readBytesPerSec: 0, writeBytesPerSec: 0 },
    mtls,
  };
  return e;
}

describe('collapsed namespace boxes', () => {
  const web = node('shop', 'web', 600, 0, 50);
  const cart = node('shop', 'cart', 290, 10, 200);
  const pay = node('pay', 'payments', 80, 20, 90);
  const db = node('data', 'pg', 60, 0, 5);
  const topo = {
    nodes: [web, cart, pay, db],
    edges: [
      edge(web, cart, 300, 0, 'mtls'),
      edge(web, pay, 40, 10, 'mtls'),
      edge(cart, pay, 40, 10, 'plaintext'),
      edge(pay, db, 60, 0, 'plaintext'),
    ],
  };

  it('a box sums counts and rates, takes success from the summed counts, p99 as a labelled max', () => {
    const g = collapseNamespaces(topo, (ns) => ns === 'shop');
    const box = g.nodes.find((n) => n.id === 'namespace:shop/shop');
    expect(box?.requests).toEqual({ success: 890, failure: 10 });
    expect(box?.successRate).toBe(890 / 900); // not the mean of 1.0 and 0.9667
    expect(box?.rps).toBe(15);
    expect(box?.latencyMs.p99).toBe(200);
    expect(box?.latencyOf).toBe('max');
    expect(box?.members).toBe(2);
    expect(box?.meshed).toEqual({ ready: 2, total: 4 });
    expect(box?.tcp.openConnections).toBe(2);
    expect(g.nodes.map((n) => n.id).sort()).toEqual([
      'namespace:shop/shop',
      'workload:data/pg',
      'workload:pay/payments',
    ]);
  });

  it('edges into and out of a box are re-aggregated; calls inside it disappear', () => {
    const g = collapseNamespaces(topo, (ns) => ns === 'shop');
    expect(g.edges.map((e) => e.id).sort()).toEqual([
      'namespace:shop/shop->workload:pay/payments',
      'workload:pay/payments->workload:data/pg',
    ]);
    const toPay = g.edges.find((e) => e.target === 'workload:pay/payments');
    expect(toPay?.requests).toEqual({ success: 80, failure: 20 });
    expect(toPay?.successRate).toBe(0.8);
    expect(toPay?.rps).toBe(100 / 60);
    expect(toPay?.mtls).toBe('mixed');
    expect(toPay?.latencyOf).toBe('max');
    // a single edge keeps its exact percentiles
    const toDb = g.edges.find((e) => e.target === 'workload:data/pg');
    expect(toDb?.latencyOf).toBeUndefined();
  });

  it('two collapsed boxes talk through one edge; expanding everything changes nothing', () => {
    const g = collapseNamespaces(topo, () => true);
    expect(
      g.edges.map((e) => `${e.id} ${e.requests.success}/${e.requests.failure}`).sort(),
    ).toEqual([
      'namespace:pay/pay->namespace:data/data 60/0',
      'namespace:shop/shop->namespace:pay/pay 80/20',
    ]);
    const none = collapseNamespaces(topo, () => false);
    expect(none).toEqual({ nodes: topo.nodes, edges: topo.edges });
  });
});
