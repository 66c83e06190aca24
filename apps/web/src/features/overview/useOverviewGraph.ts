import type { TopologyResponse } from '@meshlens/contract';
import { useMemo } from 'react';
import { parseExpression, type Predicate } from '../topology/find/expression';
import { buildGraphView, type GraphView } from '../topology/graphView';
import { AUTO_COLLAPSE_NODES, type OverviewUrl } from './url';

export interface ExpressionState {
  predicate: Predicate | undefined;
  /** why the expression was not applied */
  error: string | undefined;
}

export function useExpression(src: string): ExpressionState {
  return useMemo(() => {
    if (src.trim() === '') return { predicate: undefined, error: undefined };
    const r = parseExpression(src);
    return r.ok
      ? { predicate: r.predicate, error: undefined }
      : { predicate: undefined, error: r.error };
  }, [src]);
}

export interface OverviewGraph {
  graph: GraphView;
  find: ExpressionState;
  hide: ExpressionState;
  /** namespaces folded because the mesh is large and the URL did not say otherwise */
  autoCollapsed: boolean;
  isCollapsed: (namespace: string) => boolean;
}

const EMPTY: Pick<TopologyResponse, 'nodes' | 'edges'> = { nodes: [], edges: [] };

/** The overview's graph: the URL's grouping, find/hide, edge labels and comparison applied. */
export function useOverviewGraph(
  url: OverviewUrl,
  data: Pick<TopologyResponse, 'nodes' | 'edges'> | undefined,
  baseline: Pick<TopologyResponse, 'nodes' | 'edges'> | undefined,
): OverviewGraph {
  const find = useExpression(url.find);
  const hide = useExpression(url.hide);
  const topo = data ?? EMPTY;
  const autoCollapsed = url.collapse.kind === 'auto' && topo.nodes.length > AUTO_COLLAPSE_NODES;
  const collapse = url.collapse;
  const isCollapsed = useMemo(() => {
    if (collapse.kind === 'all' || (collapse.kind === 'auto' && autoCollapsed)) return () => true;
    if (collapse.kind === 'some') {
      const set = new Set(collapse.namespaces);
      return (ns: string) => set.has(ns);
    }
    return () => false;
  }, [collapse, autoCollapsed]);
  const graph = useMemo(
    () =>
      buildGraphView(topo, {
        thresholds: url.thresholds,
        currentNamespace: url.namespace,
        edgeLabel: url.edgeLabel,
        boxes: url.boxes,
        versionBoxes: url.kind === 'versioned-app',
        isCollapsed,
        find: find.predicate,
        hide: hide.predicate,
        baseline,
      }),
    [
      topo,
      url.thresholds,
      url.namespace,
      url.edgeLabel,
      url.boxes,
      url.kind,
      isCollapsed,
      find,
      hide,
      baseline,
    ],
  );
  return { graph, find, hide, autoCollapsed, isCollapsed };
}
