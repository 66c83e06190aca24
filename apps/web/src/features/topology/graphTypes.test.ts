import type { TopologyEdge, TopologyNode } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEALTH_THRESHOLDS } from '../../lib/health';
import { buildGraphView } from './graphView';
import { foldApps, foldForGraph, foldVersions, topologyKindOf } from './graphTypes';

function node(
  name: string,
  ok: number,
  bad: number,
  p99: number | null,
  labels: Partial<Pick<TopologyNode, 'app' | 'version' | 'cluster'>> = {},
  namespace = 'shop',
  kind: 'workload' | 'service' = 'workload',
): TopologyNode {
  return {
    id: `${kind}:${namespace}/${name}`,
    namespace,
    kind,
    name,
    successRate: ok + bad > 0 ? ok / (ok + bad) : null,
    rps: (ok + bad) / 60,
    latencyMs: { p50: p99 === null ? null : p99 / 2, p95: p99, p99 },
    requests: { success: ok, failure: bad },
    tcp: { openConnections: 1, readBytesPerSec: 10, writeBytesPerSec: 20 },
    meshed: { ready: 1, total: 1 },
    instances: 1,
    ...labels,
  };
}

function edge(s: TopologyNode, t: TopologyNode, ok: number, bad: number, p99: number) {
  const e: TopologyEdge = {
    id: `${s.id}->${t.id}`,
    source: s.id,
    target: t.id,
    successRate: ok / (ok + bad),
    rps: (ok + bad) / 60,
    latencyMs: { p50: p99 / 2, p95: p99, p99 },
    requests: { success: ok, failure: bad },
    tcp: { openConnections: 0, readBytesPerSec: 0, writeBytesPerSec: 0 },
    mtls: 'mtls',
  };
  return e;
}

// the demo's canary: web calls reviews v1 and v2 (a degraded canary); both call ratings
const web = node('web', 600, 0, 50, { app: 'web', version: 'v1' });
const v1 = node('reviews-v1', 360, 0, 40, { app: 'reviews', version: 'v1' });
const v2 = node('reviews-v2', 108, 12, 900, { app: 'reviews', version: 'v2' });
const ratings = node('ratings', 480, 0, 5, { app: 'ratings', version: 'v1' });
// a client that addressed the service without knowing the workload
const reviewsSvc = node('reviews', 0, 0, null, {}, 'shop', 'service');
const loadgen = node('loadgen', 0, 0, null);
const topo = {
  nodes: [web, v1, v2, ratings, reviewsSvc, loadgen],
  edges: [
    edge(loadgen, web, 600, 0, 60),
    edge(web, v1, 360, 0, 45),
    edge(web, v2, 108, 12, 950),
    edge(web, reviewsSvc, 30, 0, 20),
    edge(v1, ratings, 360, 0, 6),
    edge(v2, ratings, 120, 0, 7),
  ],
};

describe('app graph', () => {
  const g = foldApps(topo);
  const reviews = g.nodes.find((n) => n.id === 'service:shop/reviews');

  it('folds every version of an app (and its service) into one node with summed counts', () => {
    expect(g.nodes.map((n) => n.id).sort()).toEqual([
      'service:shop/ratings',
      'service:shop/reviews',
      'service:shop/web',
      'workload:shop/loadgen',
    ]);
    expect(reviews?.requests).toEqual({ success: 468, failure: 12 });
    expect(reviews?.rps).toBe(8);
    // success from the summed counts, not the mean of 100% and 90%
    expect(reviews?.successRate).toBe(468 / 480);
    expect(reviews?.versions).toEqual(['v1', 'v2']);
    expect(reviews?.app).toBe('reviews');
    expect(reviews?.instances).toBe(3);
  });

  it('gives percentiles of several versions as a labelled maximum, never an average', () => {
    expect(reviews?.latencyMs.p99).toBe(900);
    expect(reviews?.latencyOf).toBe('max');
    // one version only: its own quantiles, exact
    const single = g.nodes.find((n) => n.id === 'service:shop/web');
    expect(single?.latencyMs.p99).toBe(50);
    expect(single?.latencyOf).toBeUndefined();
  });

  it('re-aggregates the edges into and out of the app', () => {
    const into = g.edges.find((e) => e.id === 'service:shop/web->service:shop/reviews');
    expect(into?.requests).toEqual({ success: 498, failure: 12 });
    expect(into?.successRate).toBe(498 / 510);
    expect(into?.rps).toBe(8.5);
    expect(into?.latencyMs.p99).toBe(950);
    expect(into?.latencyOf).toBe('max');
    const out = g.edges.find((e) => e.id === 'service:shop/reviews->service:shop/ratings');
    expect(out?.requests).toEqual({ success: 480, failure: 0 });
    expect(g.edges).toHaveLength(3);
  });
});

describe('versioned-app graph', () => {
  it('keeps one node per version, boxed by app', () => {
    const g = foldVersions(topo);
    expect(g.nodes).toHaveLength(topo.nodes.length);
    const view = buildGraphView(g, {
      thresholds: DEFAULT_HEALTH_THRESHOLDS,
      currentNamespace: 'shop',
      edgeLabel: 'rps',
      boxes: true,
      versionBoxes: true,
      isCollapsed: () => false,
    });
    const byId = new Map(view.nodes.map((n) => [n.id, n]));
    expect(byId.get(v1.id)).toMatchObject({ label: 'v1', parent: 'app:shop/reviews' });
    expect(byId.get(v2.id)).toMatchObject({ label: 'v2', parent: 'app:shop/reviews' });
    expect(byId.get('app:shop/reviews')).toMatchObject({
      role: 'box',
      label: 'reviews',
      parent: 'box:shop',
    });
    // a resource without an app stays in its namespace box
    expect(byId.get(loadgen.id)).toMatchObject({ label: 'loadgen', parent: 'box:shop' });
  });

  it('folds workloads running the same version of an app, summing them', () => {
    const east = node('reviews-v1-east', 100, 0, 30, { app: 'reviews', version: 'v1' });
    const west = node('reviews-v1-west', 50, 50, 80, { app: 'reviews', version: 'v1' });
    const g = foldVersions({
      nodes: [web, east, west],
      edges: [edge(web, east, 100, 0, 30), edge(web, west, 50, 50, 80)],
    });
    const v = g.nodes.find((n) => n.id === 'workload:shop/reviews%40v1');
    expect(v).toMatchObject({ app: 'reviews', version: 'v1', latencyOf: 'max' });
    expect(v?.requests).toEqual({ success: 150, failure: 50 });
    expect(v?.successRate).toBe(0.75);
    expect(g.edges.map((e) => e.id)).toEqual(['workload:shop/web->workload:shop/reviews%40v1']);
  });
});

describe('graph types', () => {
  it('asks the server for the workload topology for app graphs', () => {
    expect(topologyKindOf('app')).toBe('workload');
    expect(topologyKindOf('versioned-app')).toBe('workload');
    expect(topologyKindOf('service')).toBe('service');
    // workload and service graphs are the server's, untouched
    expect(foldForGraph(topo, 'workload')).toBe(topo);
  });
});

describe('cluster boxes', () => {
  it('puts each namespace box in the box of its cluster', () => {
    const a = node('web', 10, 0, 5, { cluster: 'east' }, 'shop');
    const b = node('pay', 10, 0, 5, { cluster: 'east' }, 'payments');
    const c = node('auth', 10, 0, 5, { cluster: 'west' }, 'platform');
    const view = buildGraphView(
      { nodes: [a, b, c], edges: [edge(a, b, 10, 0, 5), edge(a, c, 10, 0, 5)] },
      {
        thresholds: DEFAULT_HEALTH_THRESHOLDS,
        currentNamespace: undefined,
        edgeLabel: 'rps',
        boxes: true,
        isCollapsed: (ns) => ns === 'platform',
      },
    );
    const parents = Object.fromEntries(view.nodes.map((n) => [n.id, n.parent]));
    expect(parents).toEqual({
      'workload:shop/web': 'box:shop',
      'workload:payments/pay': 'box:payments',
      // a folded namespace sits straight in its cluster's box
      'namespace:platform/platform': 'cluster:west',
      'box:shop': 'cluster:east',
      'box:payments': 'cluster:east',
      'cluster:east': undefined,
      'cluster:west': undefined,
    });
    // outer boxes come last: the graph adds parents before children
    expect(view.nodes.slice(-2).map((n) => n.id)).toEqual(['cluster:east', 'cluster:west']);
  });

  it('leaves a namespace seen in two clusters outside the cluster boxes', () => {
    const a = node('web', 10, 0, 5, { cluster: 'east' });
    const b = node('cart', 10, 0, 5, { cluster: 'west' });
    const view = buildGraphView(
      { nodes: [a, b], edges: [] },
      {
        thresholds: DEFAULT_HEALTH_THRESHOLDS,
        currentNamespace: undefined,
        edgeLabel: 'rps',
        boxes: true,
        isCollapsed: () => false,
      },
    );
    expect(view.nodes.map((n) => [n.id, n.parent])).toEqual([
      ['workload:shop/web', 'box:shop'],
      ['workload:shop/cart', 'box:shop'],
      ['box:shop', undefined],
    ]);
  });
});
