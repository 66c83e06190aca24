// Boxes inside boxes (clusters around namespaces, namespaces around apps): each box is laid out
// from the inside out, its own members in a layered layout and its inner boxes as blocks, packed
// in rows, so no two boxes at any level overlap.
import { layeredLayout, type LayoutEdge, type Position } from './layout';

const GAP = 140;
/** Extra room per box border around a block: each adds padding and a label. */
const PER_LEVEL = 70;

interface Block extends PackBlock {
  pos: Map<string, Position>;
  /** box borders drawn around this block's members (their own box included) */
  depth: number;
}

/** A block of `pos`, shifted so its smallest x and y are 0. */
export function blockOf(key: string, pos: ReadonlyMap<string, Position>, depth = 0): Block {
  const xs = [...pos.values()].map((p) => p.x);
  const ys = [...pos.values()].map((p) => p.y);
  const minX = Math.min(0, ...xs);
  const minY = Math.min(0, ...ys);
  const shifted = new Map<string, Position>();
  for (const [id, p] of pos) shifted.set(id, { x: p.x - minX, y: p.y - minY });
  return {
    key,
    pos: shifted,
    w: Math.max(0, ...xs) - minX,
    h: Math.max(0, ...ys) - minY,
    depth,
  };
}

/** A laid-out group of nodes, its positions shifted so the smallest x and y are 0. */
export interface PackBlock {
  key: string;
  pos: ReadonlyMap<string, Position>;
  w: number;
  h: number;
}

/**
 * Places blocks in rows, largest first (ties by key, so the result is stable), `gap` apart, in
 * rows about 1.4x as wide as the square root of their area: no two blocks overlap.
 */
export function packRows(blocks: readonly PackBlock[], gap: number): Map<string, Position> {
  const sorted = [...blocks].sort((a, b) => b.w * b.h - a.w * a.h || a.key.localeCompare(b.key));
  const area = sorted.reduce((a, b) => a + (b.w + gap) * (b.h + gap), 0);
  const rowWidth = Math.max(1200, Math.sqrt(area) * 1.4);
  const out = new Map<string, Position>();
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const b of sorted) {
    if (x > 0 && x + b.w > rowWidth) {
      x = 0;
      y += rowHeight + gap;
      rowHeight = 0;
    }
    for (const [id, p] of b.pos) out.set(id, { x: x + p.x, y: y + p.y });
    x += b.w + gap;
    rowHeight = Math.max(rowHeight, b.h);
  }
  return out;
}

/** Packs blocks in rows; the result is one block `depth` box borders deep. */
function pack(key: string, blocks: Block[], depth: number): Block {
  // nested boxes grow outwards on both sides: room for the deepest one
  const gap = GAP + 2 * PER_LEVEL * Math.max(0, ...blocks.map((b) => b.depth));
  return blockOf(key, packRows(blocks, gap), depth);
}

/**
 * Positions of the leaves, given each leaf's box (`parent`) and each box's own parent. Leaves
 * outside any box are blocks of their own at the top level.
 */
export function nestedLayout(
  leaves: readonly { id: string; parent?: string | undefined }[],
  boxParents: ReadonlyMap<string, string | undefined>,
  edges: readonly LayoutEdge[],
): Map<string, Position> {
  const leavesOf = new Map<string, string[]>();
  for (const n of leaves) {
    if (n.parent === undefined) continue;
    leavesOf.set(n.parent, [...(leavesOf.get(n.parent) ?? []), n.id]);
  }
  const childBoxes = new Map<string | undefined, string[]>();
  for (const [box, parent] of boxParents) {
    childBoxes.set(parent, [...(childBoxes.get(parent) ?? []), box]);
  }
  const layoutBox = (box: string, depth: number): Block => {
    const blocks: Block[] = [];
    const own = leavesOf.get(box) ?? [];
    if (own.length > 0) {
      const set = new Set(own);
      const inner = edges.filter((e) => set.has(e.source) && set.has(e.target));
      blocks.push(blockOf(`${box}#`, layeredLayout(own, inner)));
    }
    // a cycle in box parents cannot come from the graph model; stop rather than recurse forever
    if (depth < 8)
      for (const child of childBoxes.get(box) ?? []) blocks.push(layoutBox(child, depth + 1));
    return pack(box, blocks, 1 + Math.max(0, ...blocks.map((b) => b.depth)));
  };
  const top: Block[] = (childBoxes.get(undefined) ?? []).map((b) => layoutBox(b, 0));
  for (const n of leaves)
    if (n.parent === undefined) top.push(blockOf(n.id, new Map([[n.id, { x: 0, y: 0 }]])));
  return pack('', top, 0).pos;
}
