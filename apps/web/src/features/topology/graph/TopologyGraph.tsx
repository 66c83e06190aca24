// The only module that imports cytoscape (CONTRIBUTING.md). It receives a neutral graph and keeps one
// cytoscape instance alive across refreshes, diffing elements so nodes never jump.
import cytoscape from 'cytoscape';
import type { Core, EdgeSingular, EventObject, NodeSingular } from 'cytoscape';
import { useEffect, useRef, useState } from 'react';
import type { GraphEdgeModel, GraphHandle, GraphHighlight, GraphNodeModel } from '../model';
import { stylesheet } from './stylesheet';
import {
  BACKDROP_BOXES_ABOVE,
  fitGraph,
  placeBackdrops,
  positionCache,
  syncElements,
} from './sync';

export interface TopologyGraphProps {
  nodes: readonly GraphNodeModel[];
  edges: readonly GraphEdgeModel[];
  /** positions survive unmounts per graph (namespace + kind) */
  layoutKey: string;
  selectedId?: string | undefined;
  /** ids to emphasise (search); undefined = no search active */
  matchIds?: ReadonlySet<string> | undefined;
  /** a path to show (a trace's services and calls): these stand out, everything else dims */
  highlight?: GraphHighlight | undefined;
  onSelect?: (id: string | undefined) => void;
  /** an edge was clicked (its id); without it edges are not selectable */
  onSelectEdge?: (id: string) => void;
  onOpen?: (id: string) => void;
  onReady?: (handle: GraphHandle) => void;
  ariaLabel: string;
  /**
   * Rendering options measured by the bench (apps/web/README.md): cytoscape's experimental WebGL
   * renderer, and a light style (no node labels, edges hidden while panning).
   */
  rendering?: { webgl?: boolean; light?: boolean } | undefined;
}

// cytoscape types event targets as any; the selectors used below guarantee the element kind.
/** Above this many edges they are hidden while the user pans or zooms. */
const HIDE_EDGES_ABOVE = 1500;

const nodeOf = (e: EventObject) => e.target as NodeSingular;
const edgeOf = (e: EventObject) => e.target as EdgeSingular;

export function TopologyGraph(props: TopologyGraphProps) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const propsRef = useRef(props);
  propsRef.current = props;
  /** the nodes and edges cytoscape shows now */
  const lastSyncMs = useRef(0);
  const synced = useRef<Pick<TopologyGraphProps, 'nodes' | 'edges'>>({ nodes: [], edges: [] });
  const large = props.edges.length > 300;
  const backdropBoxes = props.nodes.length > BACKDROP_BOXES_ABOVE;
  const webgl = props.rendering?.webgl ?? false;
  const light = props.rendering?.light ?? false;
  const hideEdges = light || props.edges.length > HIDE_EDGES_ABOVE;

  useEffect(() => {
    if (!container.current) return undefined;
    const cy = cytoscape({
      container: container.current,
      style: stylesheet(large, light),
      minZoom: 0.05,
      maxZoom: 3,
      wheelSensitivity: 0.3,
      boxSelectionEnabled: false,
      autoungrabify: false,
      // Large graphs: draw a cached bitmap while panning/zooming to keep the frame rate up.
      textureOnViewport: large,
      // Wheel zoom redrew every edge per frame (bench: 2k/6k at 3 fps, 46 fps without edges).
      hideEdgesOnViewport: hideEdges,
      ...(webgl ? { webgl: true } : {}),
      pixelRatio: large ? 1 : 'auto',
    });
    cyRef.current = cy;
    const layoutMs = syncElements(cy, { ...propsRef.current, backdropBoxes, large });
    synced.current = propsRef.current;
    fitGraph(cy, propsRef.current.layoutKey);
    cy.on('tap', 'node', (e) => propsRef.current.onSelect?.(nodeOf(e).id()));
    cy.on('tap', 'edge', (e) => propsRef.current.onSelectEdge?.(edgeOf(e).id()));
    cy.on('dbltap', 'node', (e) => propsRef.current.onOpen?.(nodeOf(e).id()));
    cy.on('tap', 'edge', (e) => propsRef.current.onSelect?.(edgeOf(e).id()));
    cy.on('tap', (e) => {
      if ((e.target as unknown) === cy) propsRef.current.onSelect?.(undefined);
    });
    cy.on('mouseover', 'edge', (e) => {
      const edge = edgeOf(e);
      // Big graphs keep label text out of the elements (sync.ts): fetch it for this one edge.
      if (large) {
        const model = propsRef.current.edges.find((m) => m.id === edge.id());
        edge.data('hoverLabel', model?.hoverLabel ?? '');
      }
      edge.addClass('hover');
    });
    cy.on('mouseout', 'edge', (e) => {
      edgeOf(e).removeClass('hover');
    });
    cy.on('dragfree', 'node', (e) => {
      const n = nodeOf(e);
      const cached = positionCache.get(propsRef.current.layoutKey);
      cached?.set(n.id(), { ...n.position() });
      // A compound box follows its members by itself; a backdrop box is resized here.
      if (backdropBoxes && cached) placeBackdrops(cy, propsRef.current.nodes, cached);
    });
    lastSyncMs.current = layoutMs;
    propsRef.current.onReady?.({
      layoutMs,
      lastSyncMs: () => lastSyncMs.current,
      nodeCount: cy.nodes().length,
      edgeCount: cy.edges().length,
      panBy: (dx, dy) => cy.panBy({ x: dx, y: dy }),
      zoomBy: (factor) =>
        cy.zoom({
          level: cy.zoom() * factor,
          renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 },
        }),
      fit: () => fitGraph(cy, propsRef.current.layoutKey),
      viewport: () => ({ zoom: cy.zoom(), ...cy.pan() }),
    });
    return () => {
      cy.destroy();
      cyRef.current = null;
    };
    // Recreate only when the graph identity or render mode changes; data updates are diffed below.
  }, [props.layoutKey, large, backdropBoxes, hideEdges, webgl, light]);

  // Refreshes: only new data is pushed (the instance was just created with the current data).
  const { nodes, edges, layoutKey } = props;
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    if (synced.current.nodes === nodes && synced.current.edges === edges) return;
    const before = cy.nodes().length;
    lastSyncMs.current = syncElements(cy, { nodes, edges, layoutKey, backdropBoxes, large });
    synced.current = { nodes, edges };
    if (before === 0 && cy.nodes().length > 0) fitGraph(cy, layoutKey);
  }, [nodes, edges, layoutKey, backdropBoxes, large]);

  const [pathIds, setPathIds] = useState('');
  const [boxes, setBoxes] = useState('');
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.batch(() => {
      cy.elements().unselect();
      if (props.selectedId !== undefined) cy.getElementById(props.selectedId).select();
      const m = props.matchIds;
      cy.elements().removeClass('dim path');
      if (m !== undefined) {
        cy.nodes().forEach((n) => {
          if (!m.has(n.id()) && !n.hasClass('box')) n.addClass('dim');
        });
        cy.edges().forEach((e) => {
          if (!m.has(e.source().id()) && !m.has(e.target().id())) e.addClass('dim');
        });
      }
      const h = props.highlight;
      if (h !== undefined) {
        cy.nodes().forEach((n) => {
          n.addClass(h.nodeIds.has(n.id()) ? 'path' : 'dim');
        });
        cy.edges().forEach((e) => {
          e.addClass(h.edgeIds.has(e.id()) ? 'path' : 'dim');
        });
      }
    });
    // What the canvas really shows, for people and tests that cannot read a canvas.
    setPathIds(
      cy
        .elements('.path')
        .map((el) => el.id())
        .sort()
        .join(' '),
    );
    setBoxes(drawnBoxes(cy));
  }, [props.selectedId, props.matchIds, props.highlight, props.nodes, props.edges]);

  return (
    <div
      ref={container}
      className="graph-canvas"
      role="img"
      aria-label={props.ariaLabel}
      data-testid="topology-graph"
      {...(pathIds === '' ? {} : { 'data-path': pathIds })}
      {...(boxes === '' ? {} : { 'data-boxes': boxes })}
    />
  );
}

/**
 * Which boxes hold what, as drawn: `box: member, member | box: ...` (for tests and tooling that
 * cannot read a canvas). A compound box holds its children; a backdrop box (big graphs) the
 * nodes that name it.
 */
function drawnBoxes(cy: Core): string {
  const held = new Map<string, string[]>();
  cy.nodes().forEach((n: NodeSingular) => {
    const holder = n.isChild() ? n.parent().first() : cy.getElementById(String(n.data('box')));
    if (holder.empty()) return;
    const label = String(holder.data('label'));
    held.set(label, [...(held.get(label) ?? []), String(n.data('label'))]);
  });
  return [...held]
    .map(([box, members]) => `${box}: ${members.sort().join(', ')}`)
    .sort()
    .join(' | ');
}
