import {
  edgeId,
  resourceId,
  type Edge,
  type ResourceRef,
  type StatRow,
  type TimeRange,
  type TopologyEdge,
  type TopologyNode,
  type TopologyQuery,
  type TopologyResponse,
} from '@meshlens/contract';

export interface TopologyInput {
  query: Pick<TopologyQuery, 'kind' | 'namespace'>;
  generatedAt: number;
  window: TimeRange;
  /**
   * Stat rows of `query.kind` in every namespace: a namespace's graph shows the peers its
   * resources talk to, and those peers keep their own numbers.
   */
  rows: readonly StatRow[];
  /** client-side edges over the same window (source and destination as the source sees them) */
  edges: readonly Edge[];
}

/** A resource seen only as an edge end (an unmeshed database, a service without a stat row). */
export function emptyRow(ref: ResourceRef): StatRow {
  return {
    namespace: ref.namespace,
    kind: ref.kind,
    name: ref.name,
    successRate: null,
    rps: 0,
    latencyMs: { p50: null, p95: null, p99: null },
    requests: { success: 0, failure: 0 },
    tcp: { openConnections: 0, readBytesPerSec: 0, writeBytesPerSec: 0 },
    meshed: { total: 0 },
    instances: 0,
  };
}

/**
 * The one place a topology payload is assembled, for every source (embedded, Prometheus,
 * fixture): which edges belong to the graph, which nodes they need, and the ids of both.
 */
export function buildTopology(input: TopologyInput): TopologyResponse {
  const { kind, namespace } = input.query;
  const inScope = (r: ResourceRef) => namespace === undefined || r.namespace === namespace;
  const rowsById = new Map(input.rows.map((r) => [resourceId(r), r]));
  const nodes = new Map<string, TopologyNode>();
  const addNode = (ref: ResourceRef) => {
    const id = resourceId(ref);
    if (nodes.has(id)) return id;
    nodes.set(id, { ...(rowsById.get(id) ?? emptyRow(ref)), id });
    return id;
  };
  for (const r of input.rows) if (inScope(r)) addNode(r);
  const edges: TopologyEdge[] = [];
  for (const e of input.edges) {
    // A service graph draws the calls addressed to services only.
    if (kind === 'service' && e.destination.kind !== 'service') continue;
    if (!inScope(e.source) && !inScope(e.destination)) continue;
    edges.push({
      id: edgeId(e.source, e.destination),
      source: addNode(e.source),
      target: addNode(e.destination),
      successRate: e.successRate,
      rps: e.rps,
      latencyMs: e.latencyMs,
      requests: e.requests,
      tcp: e.tcp,
      mtls: e.mtls,
    });
  }
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
  return {
    generatedAt: input.generatedAt,
    window: input.window,
    kind,
    nodes: [...nodes.values()].sort(byId),
    edges: edges.sort(byId),
  };
}
