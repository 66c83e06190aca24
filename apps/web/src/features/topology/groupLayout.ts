// Namespace boxes need their members side by side: each group gets its own layered layout, and
// the groups are packed in rows (largest first) so boxes never overlap.
import { layeredLayout, stableLayout, type LayoutEdge, type Position } from './layout';
import { blockOf, nestedLayout, packRows } from './nestedLayout';

const GAP = 140;

export function groupedLayout(
  groups: ReadonlyMap<string, readonly string[]>,
  edges: readonly LayoutEdge[],
): Map<string, Position> {
  const groupOf = new Map<string, string>();
  for (const [g, ids] of groups) for (const id of ids) groupOf.set(id, g);
  const blocks = [...groups.entries()].map(([g, ids]) => {
    const inner = edges.filter((e) => groupOf.get(e.source) === g && groupOf.get(e.target) === g);
    return blockOf(g, layeredLayout(ids, inner));
  });
  return packRows(blocks, GAP);
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
