import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { TopologyView } from '../topology/TopologyView';
import type { GraphHandle } from '../topology/model';
import { syntheticGraph } from './syntheticGraph';

declare global {
  interface Window {
    __meshlensGraph?: GraphHandle;
    __meshlensGraphReadyAt?: number;
  }
}

/** Renders the production graph component with a synthetic mesh; used by bench/web.bench.ts. */
export function GraphBenchPage() {
  const [params] = useSearchParams();
  const n = Math.min(5000, Number(params.get('nodes') ?? 500) || 500);
  const e = Math.min(20_000, Number(params.get('edges') ?? 1500) || 1500);
  const webgl = params.get('webgl') === '1';
  const light = params.get('light') === '1';
  const graph = useMemo(() => syntheticGraph(n, e), [n, e]);
  const [ready, setReady] = useState<GraphHandle | undefined>(undefined);
  return (
    <div className="content">
      <h1 className="h1">Graph benchmark</h1>
      <p className="muted" data-testid="bench-status">
        {ready
          ? `ready: ${ready.nodeCount} nodes, ${ready.edgeCount} edges, layout+render ${ready.layoutMs.toFixed(1)} ms`
          : 'rendering…'}
      </p>
      <div className="panel" style={{ height: 700 }}>
        <TopologyView
          nodes={graph.nodes}
          edges={graph.edges}
          layoutKey={`bench-${n}-${e}-${webgl ? 'webgl' : 'canvas'}-${light ? 'light' : 'full'}`}
          rendering={{ webgl, light }}
          ariaLabel="Synthetic graph"
          onReady={(h) => {
            window.__meshlensGraph = h;
            window.__meshlensGraphReadyAt = performance.now();
            setReady(h);
          }}
        />
      </div>
    </div>
  );
}
