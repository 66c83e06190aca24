// Pushing the neutral graph into cytoscape. A refresh (every few seconds) must cost what changed,
// not what is drawn: each element's last pushed data and classes are kept, and only elements
// whose values differ are touched (every `data()`/`classes()` call restyles the element, and
// inside namespace boxes walks its parents).
import type { Core, ElementDefinition } from 'cytoscape';
import { boxRects, nestBoxRects, type BoxMember } from '../boxGeometry';
import { layoutLeaves } from '../groupLayout';
import type { Position } from '../layout';
import type { GraphEdgeModel, GraphNodeModel } from '../model';
import { fitViewport } from '../viewportFit';

/** Leaf positions per graph (namespace + kind): they survive unmounts and refreshes. */
export const positionCache = new Map<string, Map<string, Position>>();

export interface SyncInput {
  nodes: readonly GraphNodeModel[];
  edges: readonly GraphEdgeModel[];
  layoutKey: string;
  /**
   * Namespace boxes as plain nodes behind their members instead of compound parents (big
   * graphs, see boxGeometry.ts). Fixed for the life of a cytoscape instance.
   */
  backdropBoxes: boolean;
  /**
   * A big graph (the stylesheet's `large`): node sizes and edge widths move in steps, and edges
   * carry no label text (not drawn; the hover label is set on hover), so a refresh where every
   * rate moved a little restyles few elements instead of all of them. Fixed per instance.
   */
  large: boolean;
}

/** Above this many nodes, namespace boxes are backdrops, not compound nodes. */
export const BACKDROP_BOXES_ABOVE = 300;

type Pushed = Map<string, { data: Record<string, unknown>; classes: string }>;
const pushedByCy = new WeakMap<Core, Pushed>();

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

export function toElements(
  nodes: readonly GraphNodeModel[],
  edges: readonly GraphEdgeModel[],
  backdrop: boolean,
  large: boolean,
): { nodes: ElementDefinition[]; edges: ElementDefinition[] } {
  // Steps: 4 px for nodes (18..40 px), half a pixel for edges (1..4 px).
  const step = (v: number, by: number) => (large ? Math.round(v / by) * by : v);
  const colors = palette();
  // Big graphs scale against the next power of two of the busiest rate: a top rate that moves
  // by a few percent must not resize every node.
  const scale = (max: number) => (large ? 2 ** Math.ceil(Math.log2(max)) : max);
  const maxRps = scale(nodes.reduce((m, n) => Math.max(m, n.rps), 1));
  const maxEdge = scale(edges.reduce((m, e) => Math.max(m, e.rps), 1));
  return {
    nodes: nodes.map((n) => ({
      group: 'nodes',
      data: {
        id: n.id,
        label: n.label,
        color: colors[n.health],
        size: step((n.role === 'collapsed' ? 30 : 18) + 22 * Math.sqrt(n.rps / maxRps), 4),
        ...(n.parent === undefined ? {} : backdrop ? { box: n.parent } : { parent: n.parent }),
      },
      classes: [
        n.role ?? '',
        backdrop && n.role === 'box' ? 'backdrop' : '',
        n.tone ? `tone-${n.tone}` : '',
      ]
        .filter((c) => c !== '')
        .join(' '),
      // A backdrop box is background: dragging it pans, it never moves.
      ...(backdrop && n.role === 'box' ? { grabbable: false, pannable: true } : {}),
    })),
    edges: edges.map((e) => ({
      group: 'edges',
      data: {
        id: e.id,
        source: e.source,
        target: e.target,
        ...(large ? {} : { label: e.label, hoverLabel: e.hoverLabel }),
        color: e.health === 'idle' ? colors.edge : colors[e.health],
        width: step(1 + 3 * Math.sqrt(e.rps / maxEdge), 0.5),
      },
      classes: `${e.mtls === 'mtls' ? 'mtls' : 'plaintext'}${e.tone ? ` tone-${e.tone}` : ''}`,
    })),
  };
}

function classesOf(el: ElementDefinition): string {
  return Array.isArray(el.classes) ? el.classes.join(' ') : (el.classes ?? '');
}

function sameData(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => a[k] === b[k]);
}

/** Adds, updates and removes elements so cytoscape shows `input`; returns the time it took. */
export function syncElements(cy: Core, input: SyncInput): number {
  const started = performance.now();
  const els = toElements(input.nodes, input.edges, input.backdropBoxes, input.large);
  const last: Pushed = pushedByCy.get(cy) ?? (new Map() as Pushed);
  const next: Pushed = new Map();
  for (const el of [...els.nodes, ...els.edges]) {
    next.set(String(el.data.id), { data: el.data, classes: classesOf(el) });
  }
  let changedSet = false;
  cy.batch(() => {
    for (const id of last.keys()) {
      if (next.has(id)) continue;
      cy.getElementById(id).remove();
      changedSet = true;
    }
    const known = positionCache.get(input.layoutKey) ?? new Map<string, Position>();
    // Boxes take their size from their members: only leaves are laid out, and only when new
    // leaves arrive (the layout of 5,000 nodes is not free).
    const leaves = input.nodes.filter((n) => n.role !== 'box');
    const positions = leaves.some((n) => !last.has(n.id))
      ? layoutLeaves(leaves, input.edges, known, boxParentsOf(input.nodes))
      : new Map<string, Position>();
    const added: ElementDefinition[] = [];
    for (const n of els.nodes) {
      const id = String(n.data.id);
      const before = last.get(id);
      if (before !== undefined) {
        // The parent is fixed at creation (layoutKey changes with the boxes): never via data().
        const data: Record<string, unknown> = { ...n.data };
        delete data.parent;
        const { parent: _parent, ...beforeData } = before.data;
        if (!sameData(data, beforeData)) cy.getElementById(id).data(data);
        if (classesOf(n) !== before.classes) cy.getElementById(id).classes(classesOf(n));
      } else if (positions.has(id)) {
        added.push({ ...n, position: { ...(positions.get(id) ?? { x: 0, y: 0 }) } });
      } else {
        // A box: cytoscape needs parents before their children in one add call.
        added.unshift(n);
      }
    }
    for (const e of els.edges) {
      const id = String(e.data.id);
      const before = last.get(id);
      if (before === undefined) {
        added.push(e);
        continue;
      }
      if (!sameData(e.data, before.data)) cy.getElementById(id).data(e.data);
      if (classesOf(e) !== before.classes) cy.getElementById(id).classes(classesOf(e));
    }
    // One add call: cytoscape indexes a collection far faster than element by element.
    if (added.length > 0) {
      cy.add(added);
      changedSet = true;
    }
    if (changedSet) {
      const cached = new Map<string, Position>();
      for (const n of leaves) cached.set(n.id, { ...cy.getElementById(n.id).position() });
      positionCache.set(input.layoutKey, cached);
      if (input.backdropBoxes) placeBackdrops(cy, input.nodes, cached);
    }
  });
  pushedByCy.set(cy, next);
  return performance.now() - started;
}

/** box id -> the box holding it (clusters hold namespaces, namespaces hold versioned apps) */
function boxParentsOf(nodes: readonly GraphNodeModel[]): Map<string, string | undefined> {
  return new Map(nodes.filter((n) => n.role === 'box').map((n) => [n.id, n.parent]));
}

/** Sizes and places backdrop boxes around their members' positions (only those that moved). */
export function placeBackdrops(
  cy: Core,
  nodes: readonly GraphNodeModel[],
  positions: ReadonlyMap<string, Position>,
): void {
  const members = new Map<string, BoxMember>();
  for (const n of nodes) {
    if (n.parent === undefined || n.role === 'box') continue;
    members.set(n.id, { box: n.parent, size: Number(cy.getElementById(n.id).data('size')) });
  }
  const rects = nestBoxRects(boxRects(members, positions), boxParentsOf(nodes));
  for (const [id, r] of rects) {
    const box = cy.getElementById(id);
    if (box.empty()) continue;
    const p = box.position();
    if (p.x !== r.x || p.y !== r.y) box.position({ x: r.x, y: r.y });
    if (box.data('w') !== r.w || box.data('h') !== r.h) box.data({ w: r.w, h: r.h });
  }
}

/** Above this many nodes the fit comes from the layout's positions, not cytoscape's boxes. */
const FIT_FROM_POSITIONS = 300;

/** Fit the graph, but never blow a three-node neighbourhood up to poster size. */
export function fitGraph(cy: Core, layoutKey: string): void {
  const leaves = positionCache.get(layoutKey);
  if (leaves !== undefined && leaves.size > FIT_FROM_POSITIONS) {
    // Node radius, the label under it and a box's padding and title.
    const v = fitViewport(leaves.values(), cy.width(), cy.height(), {
      padding: 30,
      margin: 60,
      minZoom: cy.minZoom(),
      maxZoom: 1.25,
    });
    if (v !== undefined) {
      cy.viewport(v);
      return;
    }
  }
  cy.fit(undefined, 30);
  if (cy.zoom() > 1.25) {
    cy.zoom(1.25);
    cy.center();
  }
}
