// Namespace boxes need their members side by side: each group gets its own layered layout, and
// the groups are packed in rows (largest first) so boxes never overlap.
import { layeredLayout, stableLayout, type LayoutEdge, type Position } from './layout';
import { nestedLayout } from './nestedLayout';

const GAP = 140;

export function groupedLayout(
  groups: ReadonlyMap<string, readonly string[]>,
  edges: readonly LayoutEdge[],
): Map<string, Position> {
  const groupOf = new Map<string, string>();
  for (const [g, ids] of groups) for (const id of ids) groupOf.set(id, g);
  const blocks = [...groups.entries()].map(([g, ids]) => {
    const inner = edges.filter((e) => groupOf.get(e.source) === g && groupOf.get(e.target) === g);
    const pos = layeredLayout(ids, inner);
    const xs = [...pos.values()].map((p) => p.x);
    const ys = [...pos.values()].map((p) => p.y);
    const minX = Math.min(0, ...xs);
    const minY = Math.min(0, ...ys);
    return {
      g,
      pos,
      minX,
      minY,
      w: Math.max(0, ...xs) - minX,
      h: Math.max(0, ...ys) - minY,
    };
  });
  blocks.sort((a, b) => b.w * b.h - a.w * a.h || a.g.localeCompare(b.g));
  const area = blocks.reduce((a, b) => a + (b.w + GAP) * (b.h + GAP), 0);
  const rowWidth = Math.max(1200, Math.sqrt(area) * 1.4);
  const out = new Map<string, Position>();
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const b of blocks) {
    if (x > 0 && x + b.w > rowWidth) {
      x = 0;
      y += rowHeight + GAP;
      rowHeight = 0;
    }
    for (const [id, p] of b.pos) out.set(id, { x: x + p.x - b.minX, y: y + p.y - b.minY });
    x += b.w + GAP;
    rowHeight = Math.max(rowHeight, b.h);
  }
  return out;
}

/**
 * Positions for leaf nodes: grouped by box on a fresh graph, otherwise the stable layout (known
 * nodes stay where they are across refreshes).
 */
export function layoutLeaves(
  leaves: readonly { id: string; parent?: string | undefined }[],
  edges: readonly LayoutEdge[],
  known: ReadonlyMap<string, Position>,
  /** box id -> the box holding it, when boxes nest (clusters, apps) */
  boxParents?: ReadonlyMap<string, string | undefined>,
): Map<string, Position> {
  const ids = leaves.map((n) => n.id);
  const boxed = leaves.some((n) => n.parent !== undefined);
  if (!boxed || ids.some((id) => known.has(id))) return stableLayout(ids, edges, known);
  if (boxParents && [...boxParents.values()].some((p) => p !== undefined))
    return nestedLayout(leaves, boxParents, edges);
  const groups = new Map<string, string[]>();
  for (const n of leaves) {
    const g = n.parent ?? `solo:${n.id}`;
    groups.set(g, [...(groups.get(g) ?? []), n.id]);
  }
  return groupedLayout(groups, edges);
}
