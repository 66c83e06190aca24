import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { DEFAULT_HEALTH_THRESHOLDS } from '../../lib/health';
import { AUTO_COLLAPSE_NODES } from '../overview/url';
import { buildGraphView } from '../topology/graphView';
import type { GraphHandle } from '../topology/model';
import { TopologyView } from '../topology/TopologyView';
import { refreshedGraph, syntheticGraph } from './syntheticGraph';

declare global {
  interface Window {
    __meshlensGraph?: GraphHandle | undefined;
    __meshlensGraphReadyAt?: number;
    __meshlensGraphPaintedAt?: number | undefined;
    __meshlensExpandAt?: number;
  }
}

/**
 * `mode`: `boxes` (default) is the overview with every namespace expanded, `flat` the overview
 * without boxes, `collapsed` the overview's automatic rule (all namespaces folded above
 * AUTO_COLLAPSE_NODES) with an "Expand all" button, as the overview opens a large mesh.
 */
const MODES = ['boxes', 'flat', 'collapsed'] as const;
type Mode = (typeof MODES)[number];

/** Renders the production graph with a synthetic mesh; used by bench/web.bench.ts. */
export function GraphBenchPage() {
  const [params] = useSearchParams();
  const n = Math.min(5000, Number(params.get('nodes') ?? 500) || 500);
  const e = Math.min(20_000, Number(params.get('edges') ?? 1500) || 1500);
  const webgl = params.get('webgl') === '1';
  const light = params.get('light') === '1';
  const mode: Mode = MODES.find((m) => m === params.get('mode')) ?? 'boxes';
  const first = useMemo(() => syntheticGraph(n, e), [n, e]);
  // "Refresh" replays a poll of a live mesh: every rate changes a little.
  const [round, setRound] = useState(0);
  const topo = useMemo(() => (round === 0 ? first : refreshedGraph(first, round)), [first, round]);
  const [expanded, setExpanded] = useState(mode !== 'collapsed' || n <= AUTO_COLLAPSE_NODES);
  const graph = useMemo(
    () =>
      buildGraphView(topo, {
        thresholds: DEFAULT_HEALTH_THRESHOLDS,
        currentNamespace: undefined,
        edgeLabel: 'rps',
        boxes: mode !== 'flat',
        isCollapsed: () => !expanded,
      }),
    [topo, mode, expanded],
  );
  const [ready, setReady] = useState<GraphHandle | undefined>(undefined);
  return (
    <div className="content">
      <h1 className="h1">Graph benchmark</h1>
      <p className="muted" data-testid="bench-status">
        {ready
          ? `ready: ${ready.nodeCount} nodes, ${ready.edgeCount} edges, layout+render ${ready.layoutMs.toFixed(1)} ms`
          : 'rendering…'}
        <button type="button" className="btn btn-small" onClick={() => setRound(round + 1)}>
          Refresh
        </button>
        {!expanded && (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              window.__meshlensGraph = undefined;
              window.__meshlensGraphPaintedAt = undefined;
              window.__meshlensExpandAt = performance.now();
              setExpanded(true);
            }}
          >
            Expand all
          </button>
        )}
      </p>
      <div className="panel" style={{ height: 700 }}>
        <TopologyView
          nodes={graph.nodes}
          edges={graph.edges}
          layoutKey={`bench-${n}-${e}-${mode}-${expanded ? 'open' : 'folded'}`}
          rendering={{ webgl, light }}
          ariaLabel="Synthetic graph"
          onReady={(h) => {
            window.__meshlensGraph = h;
            window.__meshlensGraphReadyAt = performance.now();
            // The frame after the one cytoscape draws the new elements in.
            requestAnimationFrame(() =>
              requestAnimationFrame(() => {
                window.__meshlensGraphPaintedAt = performance.now();
              }),
            );
            setReady(h);
          }}
        />
      </div>
    </div>
  );
}
