import type { Edge, ResourceRef, StatRow } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { buildTopology, emptyRow } from './buildTopology';

const wl = (namespace: string, name: string): ResourceRef => ({
  namespace,
  kind: 'workload',
  name,
});
const svc = (namespace: string, name: string): ResourceRef => ({
  namespace,
  kind: 'service',
  name,
});

function row(ref: ResourceRef, rps: number): StatRow {
  return { ...emptyRow(ref), rps, successRate: 1, requests: { success: rps * 60, failure: 0 } };
}

function edge(source: ResourceRef, destination: ResourceRef, rps: number): Edge {
  const {
    namespace: _n,
    kind: _k,
    name: _m,
    meshed: _x,
    instances: _i,
    ...signals
  } = row(source, rps);
  return { source, destination, ...signals, mtls: 'mtls', clientId: 'a', serverId: 'b' };
}

const window = { from: 0, to: 60_000 };

describe('buildTopology', () => {
  const rows = [row(wl('shop', 'web'), 5), row(wl('shop', 'cart'), 3), row(wl('pay', 'api'), 2)];
  const edges = [
    edge(wl('shop', 'web'), wl('shop', 'cart'), 3),
    edge(wl('shop', 'cart'), wl('pay', 'api'), 2),
    edge(wl('pay', 'api'), svc('db', 'postgres'), 1),
  ];

  it('keeps a namespace, its peers with their own numbers, and ids from the contract', () => {
    const t = buildTopology({
      query: { kind: 'workload', namespace: 'shop' },
      generatedAt: 1,
      window,
      rows,
      edges,
    });
    expect(t.nodes.map((n) => [n.id, n.rps])).toEqual([
      ['workload:pay/api', 2],
      ['workload:shop/cart', 3],
      ['workload:shop/web', 5],
    ]);
    expect(t.edges.map((e) => e.id)).toEqual([
      'workload:shop/cart->workload:pay/api',
      'workload:shop/web->workload:shop/cart',
    ]);
    // identities belong to /edges, not to the graph
    expect(Object.keys(t.edges[0] ?? {})).not.toContain('clientId');
  });

  it('adds an empty node for an edge end without a stat row; a service graph keeps calls to services', () => {
    const t = buildTopology({ query: { kind: 'service' }, generatedAt: 1, window, rows, edges });
    expect(t.edges.map((e) => e.id)).toEqual(['workload:pay/api->service:db/postgres']);
    const pg = t.nodes.find((n) => n.id === 'service:db/postgres');
    expect(pg?.rps).toBe(0);
    expect(pg?.successRate).toBeNull();
  });
});
