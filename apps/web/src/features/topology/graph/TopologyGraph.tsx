// The only module that imports cytoscape (CONTRIBUTING.md). It receives a neutral graph and keeps one
// cytoscape instance alive across refreshes, diffing elements so nodes never jump.
import cytoscape from 'cytoscape';
import type {
  Core,
  EdgeSingular,
  ElementDefinition,
  EventObject,
  NodeSingular,
  StylesheetJson,
} from 'cytoscape';
import { useEffect, useRef, useState } from 'react';
import { layoutLeaves } from '../groupLayout';
import type { Position } from '../layout';
import type { GraphEdgeModel, GraphHandle, GraphHighlight, GraphNodeModel } from '../model';

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

const positionCache = new Map<string, Map<string, Position>>();

// cytoscape types event targets as any; the selectors used below guarantee the element kind.
const nodeOf = (e: EventObject) => e.target as NodeSingular;
const edgeOf = (e: EventObject) => e.target as EdgeSingular;

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}

function stylesheet(large: boolean, light: boolean): StylesheetJson {
  const fg = cssVar('--fg', '#1f2933');
  const bg = cssVar('--bg', '#ffffff');
  const muted = cssVar('--muted', '#7b8794');
  const accent = cssVar('--accent', '#3b5bdb');
  const ok = cssVar('--ok', '#2f9e44');
  const warn = cssVar('--warn', '#d98e04');
  const bad = cssVar('--bad', '#d9480f');
  return [
    {
      selector: 'node',
      style: {
        label: light ? '' : 'data(label)',
        'font-size': 11,
        color: fg,
        'text-valign': 'bottom',
        'text-margin-y': 4,
        'text-outline-color': bg,
        // Outlined text is the costliest part of a large first frame.
        'text-outline-width': large ? 0 : 2,
        width: 'data(size)',
        height: 'data(size)',
        'background-color': 'data(color)',
        'border-width': 2,
        'border-color': bg,
        'min-zoomed-font-size': large ? 10 : 7,
      },
    },
    { selector: 'node:selected', style: { 'border-color': fg, 'border-width': 3 } },
    { selector: 'node.dim', style: { opacity: 0.2 } },
    { selector: 'edge.dim', style: { opacity: 0.1 } },
    {
      selector: 'edge',
      style: {
        width: 'data(width)',
        'line-color': 'data(color)',
        'target-arrow-color': 'data(color)',
        'target-arrow-shape': large ? 'none' : 'triangle',
        'arrow-scale': 0.8,
        // Haystack edges are cytoscape's fast path for big graphs (no arrows: direction is
        // left to right in the layered layout anyway).
        'curve-style': large ? 'haystack' : 'bezier',
        label: large ? '' : 'data(label)',
        'font-size': 9,
        color: muted,
        'text-rotation': 'autorotate',
        'text-background-color': bg,
        'text-background-opacity': 0.85,
        'text-background-padding': '2px',
        'min-zoomed-font-size': 8,
      },
    },
    { selector: 'edge.plaintext', style: { 'line-style': 'dashed' } },
    { selector: 'node.path', style: { 'border-color': accent, 'border-width': 4 } },
    {
      selector: 'edge.path',
      style: { 'line-color': accent, 'target-arrow-color': accent, width: 5, 'z-index': 9 },
    },
    { selector: 'edge:selected', style: { 'line-color': fg, 'target-arrow-color': fg } },
    // Namespace boxes (compound nodes) and folded namespaces.
    {
      selector: 'node.box',
      style: {
        shape: 'round-rectangle',
        'background-color': muted,
        'background-opacity': 0.06,
        'border-color': muted,
        'border-width': 1,
        'border-style': 'dashed',
        'text-valign': 'top',
        'text-halign': 'center',
        'text-margin-y': -4,
        'font-weight': 'bold',
        padding: '18px',
      },
    },
    {
      selector: 'node.collapsed',
      style: {
        shape: 'round-rectangle',
        'border-style': 'double',
        'border-width': 4,
        'border-color': muted,
      },
    },
    // Compare: colour only what changed enough to matter.
    { selector: 'node.tone-bad', style: { 'border-color': bad, 'border-width': 4 } },
    { selector: 'node.tone-good', style: { 'border-color': ok, 'border-width': 4 } },
    { selector: 'node.tone-change', style: { 'border-color': warn, 'border-width': 4 } },
    { selector: 'edge.tone-none', style: { 'line-color': muted, 'target-arrow-color': muted } },
    {
      selector: 'edge.tone-bad',
      style: { 'line-color': bad, 'target-arrow-color': bad, color: bad },
    },
    {
      selector: 'edge.tone-good',
      style: { 'line-color': ok, 'target-arrow-color': ok, color: ok },
    },
    {
      selector: 'edge.tone-change',
      style: { 'line-color': warn, 'target-arrow-color': warn, color: warn },
    },
    { selector: 'edge.hover', style: { label: 'data(hoverLabel)', 'z-index': 10 } },
  ];
}

type Palette = Record<GraphNodeModel['health'] | 'edge', string>;

/** Theme colours read once per sync: getComputedStyle per element costs seconds at 2,000. */
function palette(): Palette {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    healthy: v('--ok', '#2f9e44'),
    warning: v('--warn', '#e8a317'),
    failing: v('--bad', '#d9480f'),
    idle: v('--idle', '#98a2b3'),
    edge: v('--edge', '#b8c2cc'),
  };
}

function toElements(
  nodes: readonly GraphNodeModel[],
  edges: readonly GraphEdgeModel[],
): { nodes: ElementDefinition[]; edges: ElementDefinition[] } {
  const colors = palette();
  const maxRps = nodes.reduce((m, n) => Math.max(m, n.rps), 1);
  const maxEdge = edges.reduce((m, e) => Math.max(m, e.rps), 1);
  return {
    nodes: nodes.map((n) => ({
      group: 'nodes',
      data: {
        id: n.id,
        label: n.label,
        color: colors[n.health],
        size: (n.role === 'collapsed' ? 30 : 18) + 22 * Math.sqrt(n.rps / maxRps),
        ...(n.parent !== undefined ? { parent: n.parent } : {}),
      },
      classes: [n.role ?? '', n.tone ? `tone-${n.tone}` : ''].join(' ').trim(),
    })),
    edges: edges.map((e) => ({
      group: 'edges',
      data: {
        id: e.id,
        source: e.source,
        target: e.target,
        label: e.label,
        hoverLabel: e.hoverLabel,
        color: e.health === 'idle' ? colors.edge : colors[e.health],
        width: 1 + 3 * Math.sqrt(e.rps / maxEdge),
      },
      classes: `${e.mtls === 'mtls' ? 'mtls' : 'plaintext'}${e.tone ? ` tone-${e.tone}` : ''}`,
    })),
  };
}

/** Fit the graph, but never blow a three-node neighbourhood up to poster size. */
function fitGraph(cy: Core): void {
  cy.fit(undefined, 30);
  if (cy.zoom() > 1.25) {
    cy.zoom(1.25);
    cy.center();
  }
}

function sync(cy: Core, props: TopologyGraphProps): number {
  const started = performance.now();
  const els = toElements(props.nodes, props.edges);
  const wanted = new Set([...els.nodes, ...els.edges].map((e) => String(e.data.id)));
  cy.batch(() => {
    cy.elements().forEach((el) => {
      if (!wanted.has(el.id())) el.remove();
    });
    const known = positionCache.get(props.layoutKey) ?? new Map<string, Position>();
    // Boxes take their size from their members: only leaves are laid out.
    const leaves = props.nodes.filter((n) => n.role !== 'box');
    const boxParents = new Map(
      props.nodes.filter((n) => n.role === 'box').map((n) => [n.id, n.parent]),
    );
    const positions = layoutLeaves(leaves, props.edges, known, boxParents);
    const added: ElementDefinition[] = [];
    for (const n of els.nodes) {
      const id = String(n.data.id);
      const existing = cy.getElementById(id);
      if (existing.nonempty()) {
        // The parent is fixed at creation (layoutKey changes with the boxes): never via data().
        const data: Record<string, unknown> = { ...n.data };
        delete data.parent;
        existing.data(data);
        existing.classes(n.classes ?? '');
      } else if (positions.has(id)) {
        added.push({ ...n, position: { ...(positions.get(id) ?? { x: 0, y: 0 }) } });
      } else {
        // A box: cytoscape needs parents before their children in one add call.
        added.unshift(n);
      }
    }
    for (const e of els.edges) {
      const existing = cy.getElementById(String(e.data.id));
      if (existing.nonempty()) {
        existing.data(e.data);
        existing.classes(e.classes ?? '');
      } else added.push(e);
    }
    // One add call: cytoscape indexes a collection far faster than element by element.
    if (added.length > 0) cy.add(added);
    const next = new Map<string, Position>();
    cy.nodes().forEach((n) => {
      if (!n.isParent()) next.set(n.id(), { ...n.position() });
    });
    positionCache.set(props.layoutKey, next);
  });
  return performance.now() - started;
}

export function TopologyGraph(props: TopologyGraphProps) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const propsRef = useRef(props);
  propsRef.current = props;
  const large = props.edges.length > 300;
  const webgl = props.rendering?.webgl ?? false;
  const light = props.rendering?.light ?? false;

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
      hideEdgesOnViewport: light,
      ...(webgl ? { webgl: true } : {}),
      pixelRatio: large ? 1 : 'auto',
    });
    cyRef.current = cy;
    const layoutMs = sync(cy, propsRef.current);
    fitGraph(cy);
    cy.on('tap', 'node', (e) => propsRef.current.onSelect?.(nodeOf(e).id()));
    cy.on('tap', 'edge', (e) => propsRef.current.onSelectEdge?.(edgeOf(e).id()));
    cy.on('dbltap', 'node', (e) => propsRef.current.onOpen?.(nodeOf(e).id()));
    cy.on('tap', 'edge', (e) => propsRef.current.onSelect?.(edgeOf(e).id()));
    cy.on('tap', (e) => {
      if ((e.target as unknown) === cy) propsRef.current.onSelect?.(undefined);
    });
    cy.on('mouseover', 'edge', (e) => {
      edgeOf(e).addClass('hover');
    });
    cy.on('mouseout', 'edge', (e) => {
      edgeOf(e).removeClass('hover');
    });
    cy.on('dragfree', 'node', (e) => {
      const n = nodeOf(e);
      positionCache.get(propsRef.current.layoutKey)?.set(n.id(), { ...n.position() });
    });
    propsRef.current.onReady?.({
      layoutMs,
      nodeCount: cy.nodes().length,
      edgeCount: cy.edges().length,
      panBy: (dx, dy) => cy.panBy({ x: dx, y: dy }),
      zoomBy: (factor) =>
        cy.zoom({
          level: cy.zoom() * factor,
          renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 },
        }),
      fit: () => fitGraph(cy),
    });
    return () => {
      cy.destroy();
      cyRef.current = null;
    };
    // Recreate only when the graph identity or render mode changes; data updates are diffed below.
  }, [props.layoutKey, large, webgl, light]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    const before = cy.nodes().length;
    sync(cy, props);
    if (before === 0 && cy.nodes().length > 0) fitGraph(cy);
  }, [props.nodes, props.edges, props]);

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
    // Which boxes hold what, as drawn: `box: member, member | box: ...` (tests, tooling).
    setBoxes(
      cy
        .nodes()
        .parents()
        .map(
          (n: NodeSingular) =>
            `${String(n.data('label'))}: ${n
              .children()
              .map((c: NodeSingular) => String(c.data('label')))
              .sort()
              .join(', ')}`,
        )
        .sort()
        .join(' | '),
    );
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
