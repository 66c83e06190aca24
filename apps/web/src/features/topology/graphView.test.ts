import type { TopologyEdge, TopologyNode } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEALTH_THRESHOLDS } from '../../lib/health';
import { parseExpression, type Predicate } from './find/expression';
import { buildGraphView, type GraphViewOptions } from './graphView';

function node(namespace: string, name: string, rps: number, sr: number | null): TopologyNode {
  return {
    id: `workload:${namespace}/${name}`,
    namespace,
    kind: 'workload',
    name,
    successRate: sr,
    rps,
    latencyMs: { p50: 1, p95: 2, p99: 3 },
    requests: { success: rps * 60 * (sr ?? 0), failure: rps * 60 * (1 - (sr ?? 1)) },
    tcp: { openConnections: 0, readBytesPerSec: 0, writeBytesPerSec: 0 },
    meshed: { total: 1 },
    instances: 1,
  };
}

function edge(s: TopologyNode, t: TopologyNode, rps: number, mtls: 'mtls' | 'plaintext') {
  const e: TopologyEdge = {
    id: `${s.id}->${t.id}`,
    source: s.id,
    target: t.id,
    successRate: 1,
    rps,
    latencyMs: { p50: 1, p95: 2, p99: 250 },
    requests: { success: rps * 60, failure: 0 },
    tcp: { openConnections: 0, readBytesPerSec: 0, writeBytesPerSec: 0 },
    mtls,
  };
  return e;
}

const pred = (src: string): Predicate => {
  const r = parseExpression(src);
  if (!r.ok) throw new Error(r.error);
  return r.predicate;
};

const web = node('shop', 'web', 10, 1);
const cart = node('shop', 'cart', 4, 0.9);
const db = node('data', 'pg', 2, 1);
const job = node('data', 'job', 0, null);
const topo = {
  nodes: [web, cart, db, job],
  edges: [edge(web, cart, 4, 'mtls'), edge(cart, db, 2, 'plaintext'), edge(job, db, 0.5, 'mtls')],
};
const opts: GraphViewOptions = {
  thresholds: DEFAULT_HEALTH_THRESHOLDS,
  currentNamespace: undefined,
  edgeLabel: 'rps',
  boxes: false,
  isCollapsed: () => false,
};

describe('graph view', () => {
  it('hidden nodes take their edges; find matches what is left', () => {
    const g = buildGraphView(topo, { ...opts, hide: pred('idle'), find: pred('mtls = false') });
    expect(g.nodes.map((n) => n.id)).toEqual([web.id, cart.id, db.id]);
    expect(g.edges.map((e) => e.id)).toEqual([`${web.id}->${cart.id}`, `${cart.id}->${db.id}`]);
    expect(g.hiddenCount).toBe(1);
    expect([...(g.matchIds ?? [])]).toEqual([cart.id, db.id]);
  });

  it('draws namespace boxes around members and labels edges as chosen', () => {
    const g = buildGraphView(topo, { ...opts, boxes: true, edgeLabel: 'p99' });
    expect(g.nodes.filter((n) => n.role === 'box').map((n) => [n.id, n.label])).toEqual([
      ['box:data', 'data'],
      ['box:shop', 'shop'],
    ]);
    expect(g.nodes.find((n) => n.id === web.id)?.parent).toBe('box:shop');
    expect(g.edges[0]?.label).toBe('p99 250ms');
    const mtls = buildGraphView(topo, { ...opts, edgeLabel: 'mtls' });
    expect(mtls.edges.map((e) => e.label)).toEqual(['mTLS', 'plaintext', 'mTLS']);
    expect(buildGraphView(topo, { ...opts, edgeLabel: 'none' }).edges[0]?.label).toBe('');
  });

  it('a collapsed namespace is one node; comparing colours only significant changes', () => {
    const base = {
      nodes: [node('shop', 'web', 10, 1), node('shop', 'cart', 2, 0.9), db, job],
      edges: [
        edge(web, cart, 2, 'mtls'),
        edge(cart, db, 2, 'plaintext'),
        edge(job, db, 0.5, 'mtls'),
      ],
    };
    const g = buildGraphView(topo, {
      ...opts,
      isCollapsed: (ns) => ns === 'data',
      baseline: base,
    });
    const box = g.nodes.find((n) => n.role === 'collapsed');
    expect(box?.label).toBe('data ▸ 2');
    expect(g.collapsedCount).toBe(1);
    expect(g.nodes.find((n) => n.id === cart.id)?.tone).toBe('change');
    expect(g.nodes.find((n) => n.id === web.id)?.tone).toBe('none');
    const e = g.edges.find((x) => x.id === `${web.id}->${cart.id}`);
    expect([e?.label, e?.tone]).toEqual(['+100% rps', 'change']);
  });
});
