import type { Span } from '@meshlens/contract';

/** The graph's nodes and edges, as much of them as a trace's path needs. */
export interface PathGraph {
  nodes: readonly { id: string; namespace: string; name: string }[];
  edges: readonly { id: string; source: string; target: string }[];
}

export interface TracePath {
  nodeIds: string[];
  edgeIds: string[];
  /** services of the trace that are not on this graph (another namespace, kind or window) */
  missing: string[];
}

const NAMESPACE_KEYS = ['k8s.namespace.name', 'service.namespace'] as const;

function namespaceOf(span: Span): string | undefined {
  for (const key of NAMESPACE_KEYS) {
    const v = span.attributes[key] ?? span.resource?.[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

/**
 * Where a trace went on the topology: a span's service is the graph node of that name (in the
 * span's namespace when it says one), and a span whose parent belongs to another service is a
 * call along the edge parent -> child. Services the graph does not show are reported, not guessed.
 */
export function tracePath(spans: readonly Span[], graph: PathGraph): TracePath {
  const byName = new Map<string, { id: string; namespace: string }[]>();
  for (const n of graph.nodes) {
    const list = byName.get(n.name) ?? [];
    list.push(n);
    byName.set(n.name, list);
  }
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  // A span without a namespace (a client span) takes it from its nearest same-service ancestor.
  const nsOf = (span: Span): string | undefined => {
    let cur: Span | undefined = span;
    for (let hops = 0; cur !== undefined && hops < 64; hops++) {
      const ns = namespaceOf(cur);
      if (ns !== undefined) return ns;
      const parent: Span | undefined =
        cur.parentSpanId === undefined ? undefined : byId.get(cur.parentSpanId);
      cur = parent?.service === span.service ? parent : undefined;
    }
    return undefined;
  };
  const nodeOf = new Map<string, string | undefined>();
  const missing = new Set<string>();
  for (const s of spans) {
    const candidates = byName.get(s.service) ?? [];
    const ns = nsOf(s);
    const hit =
      ns === undefined
        ? candidates.length === 1
          ? candidates[0]
          : undefined
        : candidates.find((c) => c.namespace === ns);
    if (hit === undefined) missing.add(s.service);
    nodeOf.set(s.spanId, hit?.id);
  }
  const edgeByEnds = new Map(graph.edges.map((e) => [`${e.source}\n${e.target}`, e.id]));
  const nodeIds = new Set<string>();
  const edgeIds = new Set<string>();
  for (const s of spans) {
    const node = nodeOf.get(s.spanId);
    if (node !== undefined) nodeIds.add(node);
    const parent = s.parentSpanId === undefined ? undefined : nodeOf.get(s.parentSpanId);
    if (node === undefined || parent === undefined || parent === node) continue;
    const edge = edgeByEnds.get(`${parent}\n${node}`);
    if (edge !== undefined) edgeIds.add(edge);
  }
  return { nodeIds: [...nodeIds], edgeIds: [...edgeIds], missing: [...missing].sort() };
}
