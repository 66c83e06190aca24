/*
 * Honest re-aggregation for collapsed namespace boxes: rates and counts are summed, success comes
 * from the summed counts, and percentiles, which cannot be summed or averaged, become the
 * maximum of the members' and say so (`latencyOf: 'max'`).
 */
import {
  edgeId,
  resourceId,
  type MtlsState,
  type ResourceRef,
  type TopologyEdge,
  type TopologyNode,
  type TopologyResponse,
} from '@meshlens/contract';

export interface ViewNode extends TopologyNode {
  /** a collapsed namespace box: how many resources it holds */
  members?: number;
  /** an app node: the versions folded into it (sorted; empty when its metrics name none) */
  versions?: string[];
  /** latency quantiles are the maximum of several, not a quantile of the sum */
  latencyOf?: 'max';
}

export interface ViewEdge extends TopologyEdge {
  latencyOf?: 'max';
}

export interface ViewGraph {
  nodes: ViewNode[];
  edges: ViewEdge[];
}

export function namespaceBoxRef(namespace: string): ResourceRef {
  return { kind: 'namespace', namespace, name: namespace };
}

export function namespaceBoxId(namespace: string): string {
  return resourceId(namespaceBoxRef(namespace));
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

function maxOf(xs: readonly (number | null)[]): number | null {
  const known = xs.filter((x): x is number => x !== null);
  return known.length === 0 ? null : Math.max(...known);
}

function successOf(success: number, failure: number): number | null {
  return success + failure > 0 ? success / (success + failure) : null;
}

type Signals = Pick<TopologyEdge, 'successRate' | 'rps' | 'latencyMs' | 'requests' | 'tcp'>;

/** Sums the signals of several nodes or edges over the same window. */
export function sumSignals(parts: readonly Signals[]): Signals {
  const success = sum(parts.map((p) => p.requests.success));
  const failure = sum(parts.map((p) => p.requests.failure));
  return {
    successRate: successOf(success, failure),
    rps: sum(parts.map((p) => p.rps)),
    latencyMs: {
      p50: maxOf(parts.map((p) => p.latencyMs.p50)),
      p95: maxOf(parts.map((p) => p.latencyMs.p95)),
      p99: maxOf(parts.map((p) => p.latencyMs.p99)),
    },
    requests: { success, failure },
    tcp: {
      openConnections: sum(parts.map((p) => p.tcp.openConnections)),
      readBytesPerSec: sum(parts.map((p) => p.tcp.readBytesPerSec)),
      writeBytesPerSec: sum(parts.map((p) => p.tcp.writeBytesPerSec)),
    },
  };
}

function mergeMtls(states: readonly MtlsState[]): MtlsState {
  const known = new Set(states.filter((s) => s !== 'unknown'));
  if (known.size === 0) return 'unknown';
  return known.size === 1 ? ([...known][0] ?? 'unknown') : 'mixed';
}

/** A node that several nodes fold into: its id and what it is. */
export interface FoldGroup {
  id: string;
  ref: ResourceRef;
}

/** The cluster all of `nodes` report, if they agree on one. */
export function commonCluster(nodes: readonly Pick<TopologyNode, 'cluster'>[]): {
  cluster?: string;
} {
  const clusters = new Set(nodes.map((n) => n.cluster));
  const [only] = clusters;
  return clusters.size === 1 && only !== undefined ? { cluster: only } : {};
}

/**
 * Folds nodes into groups (a collapsed namespace, an app) and re-aggregates the edges that touch
 * them: rates and counts summed, success from the summed counts, percentiles of several parts as
 * a labelled maximum. `describe` adds what the group knows about itself. Calls inside one group
 * disappear with it when `dropInner` (they are in its totals), else they stay as a loop.
 */
export function foldNodes(
  topo: Pick<TopologyResponse, 'nodes' | 'edges'>,
  groupOf: (n: ViewNode) => FoldGroup | undefined,
  describe: (members: readonly ViewNode[]) => Partial<ViewNode>,
  dropInner: boolean,
): ViewGraph {
  const boxOf = new Map<string, string>();
  const members = new Map<string, { group: FoldGroup; list: ViewNode[] }>();
  const nodes: ViewNode[] = [];
  for (const n of topo.nodes) {
    const group = groupOf(n);
    if (!group) {
      nodes.push(n);
      continue;
    }
    boxOf.set(n.id, group.id);
    const entry = members.get(group.id) ?? { group, list: [] };
    entry.list.push(n);
    members.set(group.id, entry);
  }
  for (const { group, list } of members.values()) {
    const ready = list.map((n) => n.meshed.ready);
    // one part keeps its exact quantiles; several can only give the largest
    const measured = list.filter((n) => n.latencyMs.p50 !== null || n.latencyMs.p99 !== null);
    nodes.push({
      ...group.ref,
      id: group.id,
      ...sumSignals(list),
      meshed: {
        total: sum(list.map((n) => n.meshed.total)),
        ...(ready.every((r) => r !== undefined) ? { ready: sum(ready) } : {}),
      },
      instances: sum(list.map((n) => n.instances)),
      ...commonCluster(list),
      ...(measured.length > 1 ? { latencyOf: 'max' as const } : {}),
      ...describe(list),
    });
  }
  const refOf = new Map<string, ResourceRef>(nodes.map((n) => [n.id, n]));
  const groups = new Map<string, { source: string; target: string; parts: ViewEdge[] }>();
  for (const e of topo.edges) {
    const source = boxOf.get(e.source) ?? e.source;
    const target = boxOf.get(e.target) ?? e.target;
    if (dropInner && source === target && boxOf.has(e.source)) continue;
    const key = `${source}\n${target}`;
    const g = groups.get(key) ?? { source, target, parts: [] };
    g.parts.push(e);
    groups.set(key, g);
  }
  const edges: ViewEdge[] = [];
  for (const g of groups.values()) {
    const only = g.parts[0];
    const s = refOf.get(g.source);
    const t = refOf.get(g.target);
    if (!only || !s || !t) continue;
    const id = edgeId(s, t);
    if (g.parts.length === 1) {
      edges.push({ ...only, id, source: g.source, target: g.target });
      continue;
    }
    edges.push({
      id,
      source: g.source,
      target: g.target,
      ...sumSignals(g.parts),
      mtls: mergeMtls(g.parts.map((p) => p.mtls)),
      latencyOf: 'max',
    });
  }
  return { nodes, edges };
}

/**
 * Folds the resources of each collapsed namespace into one box node, and re-aggregates the edges
 * that touch them. Calls inside a collapsed namespace disappear with it (they are in its totals).
 */
export function collapseNamespaces(
  topo: Pick<TopologyResponse, 'nodes' | 'edges'>,
  isCollapsed: (namespace: string) => boolean,
): ViewGraph {
  return foldNodes(
    topo,
    (n) =>
      isCollapsed(n.namespace)
        ? { id: namespaceBoxId(n.namespace), ref: namespaceBoxRef(n.namespace) }
        : undefined,
    (list) => ({ members: list.length, ...(list.length > 1 ? { latencyOf: 'max' as const } : {}) }),
    true,
  );
}
