/*
 * From a topology payload to what the graph draws, as one pure function: namespace boxes and
 * collapsed namespaces, find (highlight) and hide, the edge label chosen in the toolbar, and the
 * change against a baseline period when comparing.
 */
import type { TopologyResponse } from '@meshlens/contract';
import { formatLatency, formatPercent, formatRps } from '../../lib/format';
import { classifyHealth, type HealthThresholds } from '../../lib/health';
import { collapseNamespaces, type ViewEdge, type ViewGraph, type ViewNode } from './aggregate';
import {
  compareById,
  formatP99Delta,
  formatRpsDelta,
  formatSrDelta,
  type SignalDelta,
} from './compare';
import type { NodeFacts, Predicate } from './find/expression';
import type { GraphEdgeModel, GraphNodeModel } from './model';

export const EDGE_LABELS = ['none', 'rps', 'sr', 'p99', 'mtls'] as const;
export type EdgeLabel = (typeof EDGE_LABELS)[number];

export interface GraphViewOptions {
  thresholds: HealthThresholds;
  /** labels omit this namespace; nodes elsewhere show theirs */
  currentNamespace: string | undefined;
  edgeLabel: EdgeLabel;
  /** draw namespace boxes around their members (and cluster boxes around those) */
  boxes: boolean;
  /** versioned-app: each app is a box holding one node per version */
  versionBoxes?: boolean | undefined;
  isCollapsed: (namespace: string) => boolean;
  find?: Predicate | undefined;
  hide?: Predicate | undefined;
  /** compare: the same graph over the baseline period */
  baseline?: Pick<TopologyResponse, 'nodes' | 'edges'> | undefined;
}

export interface GraphView {
  nodes: GraphNodeModel[];
  edges: GraphEdgeModel[];
  /** the nodes and edges behind the drawing (collapsed boxes included, hidden ones not) */
  view: ViewGraph;
  /** find matches; undefined without a find expression */
  matchIds: ReadonlySet<string> | undefined;
  hiddenCount: number;
  collapsedCount: number;
  nodeDeltas: ReadonlyMap<string, SignalDelta> | undefined;
  edgeDeltas: ReadonlyMap<string, SignalDelta> | undefined;
}

/** Compound-node id of a namespace box (never a resource id: those contain ':' + '/'). */
export function boxId(namespace: string): string {
  return `box:${encodeURIComponent(namespace)}`;
}

/** Compound-node id of a cluster box. */
export function clusterBoxId(cluster: string): string {
  return `cluster:${encodeURIComponent(cluster)}`;
}

/** Compound-node id of an app box (versioned-app graph). */
export function appBoxId(namespace: string, app: string): string {
  return `app:${encodeURIComponent(namespace)}/${encodeURIComponent(app)}`;
}

/** Boxes are drawn, never selected or opened as resources. */
export function isBoxId(id: string): boolean {
  return id.startsWith('box:') || id.startsWith('cluster:') || id.startsWith('app:');
}

/** Per node: false when any of its edges is plaintext, true when all known ones are mTLS. */
export function mtlsByNode(
  edges: readonly Pick<ViewEdge, 'source' | 'target' | 'mtls'>[],
): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const e of edges) {
    if (e.mtls === 'unknown') continue;
    const ok = e.mtls === 'mtls';
    for (const id of [e.source, e.target]) out.set(id, (out.get(id) ?? true) && ok);
  }
  return out;
}

/** What find/hide expressions see of a node. */
export function factsOf(
  n: Pick<ViewNode, 'id' | 'namespace' | 'name' | 'rps' | 'successRate' | 'latencyMs'>,
  mtls: ReadonlyMap<string, boolean>,
): NodeFacts {
  return {
    namespace: n.namespace,
    name: n.name,
    rps: n.rps,
    sr: n.successRate === null ? null : n.successRate * 100,
    p50: n.latencyMs.p50,
    p95: n.latencyMs.p95,
    p99: n.latencyMs.p99,
    mtls: mtls.get(n.id) ?? null,
  };
}

function p99Text(e: ViewEdge): string {
  return `${e.latencyOf === 'max' ? 'max p99 ' : 'p99 '}${formatLatency(e.latencyMs.p99)}`;
}

function edgeText(e: ViewEdge, mode: EdgeLabel, d: SignalDelta | undefined): string {
  if (d) {
    if (mode === 'rps') return `${formatRpsDelta(d)} rps`;
    if (mode === 'sr') return formatSrDelta(d);
    if (mode === 'p99') return `p99 ${formatP99Delta(d)}`;
  }
  switch (mode) {
    case 'none':
      return '';
    case 'rps':
      return `${formatRps(e.rps)} rps`;
    case 'sr':
      return formatPercent(e.successRate);
    case 'p99':
      return p99Text(e);
    case 'mtls':
      return e.mtls === 'mtls' ? 'mTLS' : e.mtls;
  }
}

/**
 * The boxes (compound nodes) a graph needs: clusters around namespaces around apps. A namespace
 * box sits in a cluster box only when all its members report that cluster (resource ids carry no
 * cluster: the same namespace in two clusters is one box).
 */
class BoxSet {
  private readonly boxes = new Map<
    string,
    { label: string; parent: string | undefined; level: number }
  >();
  private readonly nsClusters = new Map<string, Set<string | undefined>>();

  cluster(cluster: string): string {
    const id = clusterBoxId(cluster);
    this.boxes.set(id, { label: cluster, parent: undefined, level: 0 });
    return id;
  }

  namespace(namespace: string, cluster: string | undefined): string {
    const id = boxId(namespace);
    const seen = this.nsClusters.get(id) ?? new Set();
    seen.add(cluster);
    this.nsClusters.set(id, seen);
    this.boxes.set(id, { label: namespace, parent: undefined, level: 1 });
    return id;
  }

  app(namespace: string, app: string, parent: string | undefined): string {
    const id = appBoxId(namespace, app);
    this.boxes.set(id, { label: app, parent, level: 2 });
    return id;
  }

  /** Outer boxes last: the graph adds boxes in reverse, parents before their children. */
  models(): GraphNodeModel[] {
    for (const [id, clusters] of this.nsClusters) {
      const [only] = clusters;
      const box = this.boxes.get(id);
      if (box && clusters.size === 1 && only !== undefined) box.parent = this.cluster(only);
    }
    return [...this.boxes.entries()]
      .sort(([a, x], [b, y]) => y.level - x.level || a.localeCompare(b))
      .map(([id, b]) => ({
        id,
        label: b.label,
        health: 'idle' as const,
        rps: 0,
        role: 'box' as const,
        parent: b.parent,
      }));
  }
}

export function buildGraphView(
  topo: Pick<TopologyResponse, 'nodes' | 'edges'>,
  opts: GraphViewOptions,
): GraphView {
  const full = collapseNamespaces(topo, opts.isCollapsed);
  const mtls = mtlsByNode(full.edges);
  const hidden = new Set<string>();
  if (opts.hide) {
    for (const n of full.nodes) if (opts.hide(factsOf(n, mtls))) hidden.add(n.id);
  }
  const view: ViewGraph = {
    nodes: full.nodes.filter((n) => !hidden.has(n.id)),
    // hidden nodes take their edges with them
    edges: full.edges.filter((e) => !hidden.has(e.source) && !hidden.has(e.target)),
  };
  let matchIds: Set<string> | undefined;
  if (opts.find) {
    const find = opts.find;
    matchIds = new Set(view.nodes.filter((n) => find(factsOf(n, mtls))).map((n) => n.id));
  }
  let nodeDeltas: Map<string, SignalDelta> | undefined;
  let edgeDeltas: Map<string, SignalDelta> | undefined;
  if (opts.baseline) {
    const base = collapseNamespaces(opts.baseline, opts.isCollapsed);
    nodeDeltas = compareById(view.nodes, base.nodes);
    edgeDeltas = compareById(view.edges, base.edges);
  }
  const nodes: GraphNodeModel[] = [];
  const boxes = new BoxSet();
  for (const n of view.nodes) {
    const collapsed = n.members !== undefined;
    const d = nodeDeltas?.get(n.id);
    const name =
      collapsed || n.namespace === opts.currentNamespace ? n.name : `${n.namespace}/${n.name}`;
    const inBox = opts.boxes && !collapsed;
    const nsBox = inBox ? boxes.namespace(n.namespace, n.cluster) : undefined;
    // a folded namespace sits straight in its cluster's box
    const clusterBox =
      opts.boxes && collapsed && n.cluster !== undefined ? boxes.cluster(n.cluster) : undefined;
    const appBox =
      opts.versionBoxes && n.app !== undefined
        ? boxes.app(n.namespace, n.app, nsBox ?? clusterBox)
        : undefined;
    const change = d && d.tone.overall !== 'none' ? ` (${formatRpsDelta(d)} rps)` : '';
    const base = collapsed
      ? `${name} ▸ ${n.members}`
      : appBox !== undefined
        ? (n.version ?? n.name)
        : inBox
          ? n.name
          : name;
    nodes.push({
      id: n.id,
      label: `${base}${change}`,
      health: classifyHealth(n.successRate, n.rps, opts.thresholds),
      rps: n.rps,
      parent: appBox ?? nsBox ?? clusterBox,
      role: collapsed ? 'collapsed' : undefined,
      tone: d?.tone.overall,
    });
  }
  nodes.push(...boxes.models());
  const edges: GraphEdgeModel[] = view.edges.map((e) => {
    const d = edgeDeltas?.get(e.id);
    const label = edgeText(e, opts.edgeLabel, d);
    const full = `${formatRps(e.rps)} rps · ${formatPercent(e.successRate)} · ${p99Text(e)} · ${e.mtls === 'mtls' ? 'mTLS' : e.mtls}`;
    const tone =
      d === undefined
        ? undefined
        : opts.edgeLabel === 'rps' || opts.edgeLabel === 'sr' || opts.edgeLabel === 'p99'
          ? d.tone[opts.edgeLabel]
          : d.tone.overall;
    return {
      id: e.id,
      source: e.source,
      target: e.target,
      label,
      hoverLabel: d
        ? `${full} · vs baseline ${formatRpsDelta(d)} rps, ${formatSrDelta(d)}, p99 ${formatP99Delta(d)}`
        : full,
      health: classifyHealth(e.successRate, e.rps, opts.thresholds),
      rps: e.rps,
      mtls: e.mtls,
      tone,
    };
  });
  return {
    nodes,
    edges,
    view,
    matchIds,
    hiddenCount: hidden.size,
    collapsedCount: view.nodes.filter((n) => n.members !== undefined).length,
    nodeDeltas,
    edgeDeltas,
  };
}
