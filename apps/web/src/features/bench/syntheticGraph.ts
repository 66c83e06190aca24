import type { GraphEdgeModel, GraphNodeModel } from '../topology/model';

/** Deterministic pseudo-random graph (mulberry32) for the layout/pan-zoom benchmark. */
export function syntheticGraph(nodeCount: number, edgeCount: number, seed = 42) {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const healths = ['healthy', 'healthy', 'healthy', 'warning', 'failing', 'idle'] as const;
  const nodes: GraphNodeModel[] = Array.from({ length: nodeCount }, (_, i) => ({
    id: `n${i}`,
    label: `svc-${i}`,
    health: healths[Math.floor(rnd() * healths.length)] ?? 'healthy',
    rps: Math.round(rnd() * 1000) / 10,
  }));
  const edges: GraphEdgeModel[] = [];
  const seen = new Set<string>();
  let guard = 0;
  while (edges.length < edgeCount && guard++ < edgeCount * 20) {
    // Mostly "downstream" edges, like real call graphs, with some back edges.
    const a = Math.floor(rnd() * nodeCount);
    const b =
      rnd() < 0.85
        ? Math.min(nodeCount - 1, a + 1 + Math.floor(rnd() * 40))
        : Math.floor(rnd() * nodeCount);
    const id = `n${a}->n${b}`;
    if (a === b || seen.has(id)) continue;
    seen.add(id);
    const rps = Math.round(rnd() * 500) / 10;
    edges.push({
      id,
      source: `n${a}`,
      target: `n${b}`,
      label: `${rps} rps`,
      hoverLabel: `${rps} rps`,
      health: 'healthy',
      rps,
      mtls: rnd() < 0.8 ? 'mtls' : 'plaintext',
    });
  }
  return { nodes, edges };
}
