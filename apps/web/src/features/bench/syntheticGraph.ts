import {
  edgeId,
  resourceId,
  type ResourceRef,
  type TopologyEdge,
  type TopologyNode,
  type TopologyResponse,
} from '@meshlens/contract';

/** Resources per namespace in the synthetic mesh (5,000 workloads = 50 namespaces). */
export const SYNTHETIC_NAMESPACE_SIZE = 100;

/**
 * Deterministic pseudo-random mesh (mulberry32) for the layout/pan-zoom benchmark, shaped like a
 * topology payload so the bench page draws it through the overview's own graph builder
 * (namespace boxes, collapse, labels).
 */
export function syntheticGraph(
  nodeCount: number,
  edgeCount: number,
  seed = 42,
): Pick<TopologyResponse, 'nodes' | 'edges'> {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const refs: ResourceRef[] = Array.from({ length: nodeCount }, (_, i) => ({
    kind: 'workload',
    namespace: `ns-${String(Math.floor(i / SYNTHETIC_NAMESPACE_SIZE)).padStart(2, '0')}`,
    name: `svc-${i}`,
  }));
  const signals = (rps: number, failing: number) => {
    const total = rps * 60;
    const failure = Math.round(total * failing);
    return {
      rps,
      successRate: total > 0 ? (total - failure) / total : null,
      requests: { success: total - failure, failure },
      latencyMs: { p50: 5 + rnd() * 20, p95: 30 + rnd() * 100, p99: 80 + rnd() * 400 },
      tcp: { openConnections: 0, readBytesPerSec: 0, writeBytesPerSec: 0 },
    };
  };
  // Mostly healthy, some warning/failing, some idle, as in the old synthetic graph.
  const failRates = [0, 0, 0, 0.03, 0.2, 0] as const;
  const nodes: TopologyNode[] = refs.map((ref, i) => {
    const pick = Math.floor(rnd() * failRates.length);
    const rps = pick === 5 ? 0 : Math.round(rnd() * 1000) / 10;
    return {
      id: resourceId(ref),
      ...ref,
      ...signals(rps, failRates[pick] ?? 0),
      meshed: { ready: 1, total: 1 },
      instances: 1 + (i % 3),
    };
  });
  const edges: TopologyEdge[] = [];
  const seen = new Set<string>();
  let guard = 0;
  while (edges.length < edgeCount && guard++ < edgeCount * 20) {
    // Mostly "downstream" edges, like real call graphs, with some back edges.
    const a = Math.floor(rnd() * nodeCount);
    const b =
      rnd() < 0.85
        ? Math.min(nodeCount - 1, a + 1 + Math.floor(rnd() * 40))
        : Math.floor(rnd() * nodeCount);
    const src = refs[a];
    const dst = refs[b];
    if (a === b || src === undefined || dst === undefined) continue;
    const id = edgeId(src, dst);
    if (seen.has(id)) continue;
    seen.add(id);
    edges.push({
      id,
      source: resourceId(src),
      target: resourceId(dst),
      ...signals(Math.round(rnd() * 500) / 10, 0),
      mtls: rnd() < 0.8 ? 'mtls' : 'plaintext',
    });
  }
  return { nodes, edges };
}

/**
 * The same mesh one refresh later: every rate moved by up to ±10 % (deterministic), as a live
 * mesh does between two polls. Same ids, new objects.
 */
export function refreshedGraph(
  topo: Pick<TopologyResponse, 'nodes' | 'edges'>,
  round: number,
): Pick<TopologyResponse, 'nodes' | 'edges'> {
  const move = (rps: number, i: number) =>
    Math.round(rps * (1 + 0.1 * Math.sin(i * 1.7 + round)) * 10) / 10;
  return {
    nodes: topo.nodes.map((n, i) => ({ ...n, rps: move(n.rps, i) })),
    edges: topo.edges.map((e, i) => ({ ...e, rps: move(e.rps, i) })),
  };
}
