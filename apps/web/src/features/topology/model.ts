import type { Health, MtlsState, TopologyResponse } from '@meshlens/contract';
import { classifyHealth, type HealthThresholds } from '../../lib/health';
import { formatLatency, formatPercent, formatRps } from '../../lib/format';
import type { DeltaTone } from './compare';

/** What the graph draws: neutral, already formatted, no library types. */
export interface GraphNodeModel {
  id: string;
  label: string;
  health: Health;
  rps: number;
  /** id of the namespace box (compound node) holding this node */
  parent?: string | undefined;
  /** `box`: a namespace box drawn around its members; `collapsed`: a folded namespace */
  role?: 'box' | 'collapsed' | undefined;
  /** compare: colour of a significant change */
  tone?: DeltaTone | undefined;
}

export interface GraphEdgeModel {
  id: string;
  source: string;
  target: string;
  label: string;
  hoverLabel: string;
  health: Health;
  rps: number;
  mtls: MtlsState;
  tone?: DeltaTone | undefined;
}

/** Elements to emphasise on the graph (a trace's path). */
export interface GraphHighlight {
  nodeIds: ReadonlySet<string>;
  edgeIds: ReadonlySet<string>;
}

export interface GraphHandle {
  layoutMs: number;
  /** how long the latest push of new data into the graph took (the first one: layoutMs) */
  lastSyncMs: () => number;
  nodeCount: number;
  edgeCount: number;
  panBy: (dx: number, dy: number) => void;
  zoomBy: (factor: number) => void;
  fit: () => void;
  /** zoom and pan now: the bench checks that its mouse gestures really moved the graph */
  viewport: () => { zoom: number; x: number; y: number };
}

export function toGraphModel(
  topo: Pick<TopologyResponse, 'nodes' | 'edges'>,
  thresholds: HealthThresholds,
  /** labels omit this namespace; nodes elsewhere (neighbours) show theirs */
  currentNamespace: string | undefined,
): { nodes: GraphNodeModel[]; edges: GraphEdgeModel[] } {
  const ids = new Set(topo.nodes.map((n) => n.id));
  return {
    nodes: topo.nodes.map((n) => ({
      id: n.id,
      label: n.namespace === currentNamespace ? n.name : `${n.namespace}/${n.name}`,
      health: classifyHealth(n.successRate, n.rps, thresholds),
      rps: n.rps,
    })),
    edges: topo.edges
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((e) => {
        const label = `${formatRps(e.rps)} rps · ${formatPercent(e.successRate)}`;
        const lock = e.mtls === 'mtls' ? 'mTLS' : e.mtls;
        return {
          id: e.id,
          source: e.source,
          target: e.target,
          label,
          hoverLabel: `${label} · p99 ${formatLatency(e.latencyMs.p99)} · ${lock}`,
          health: classifyHealth(e.successRate, e.rps, thresholds),
          rps: e.rps,
          mtls: e.mtls,
        };
      }),
  };
}
