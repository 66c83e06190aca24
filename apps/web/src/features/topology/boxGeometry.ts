// Namespace boxes of big graphs are plain nodes drawn behind their members, not compound nodes:
// cytoscape walks a compound's parents and children on every style change of every member, which
// made a 500-node graph with boxes 4x slower to open than the same graph without (see
// docs/adr/0018-graph-at-scale.md). Their size comes from here instead.
import type { Position } from './layout';

export interface BoxRect {
  /** centre */
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface BoxMember {
  box: string;
  /** diameter of the member node */
  size: number;
}

/** The same room around members a compound box leaves (its 18 px padding). */
export const BOX_PADDING = 18;

/** One rectangle per box enclosing its members (`positions` are member centres). */
export function boxRects(
  members: ReadonlyMap<string, BoxMember>,
  positions: ReadonlyMap<string, Position>,
): Map<string, BoxRect> {
  const bounds = new Map<string, { x1: number; y1: number; x2: number; y2: number }>();
  for (const [id, m] of members) {
    const p = positions.get(id);
    if (p === undefined) continue;
    const r = m.size / 2;
    const b = bounds.get(m.box);
    if (b === undefined) {
      bounds.set(m.box, { x1: p.x - r, y1: p.y - r, x2: p.x + r, y2: p.y + r });
    } else {
      b.x1 = Math.min(b.x1, p.x - r);
      b.y1 = Math.min(b.y1, p.y - r);
      b.x2 = Math.max(b.x2, p.x + r);
      b.y2 = Math.max(b.y2, p.y + r);
    }
  }
  const out = new Map<string, BoxRect>();
  for (const [box, b] of bounds) {
    out.set(box, {
      x: (b.x1 + b.x2) / 2,
      y: (b.y1 + b.y2) / 2,
      w: b.x2 - b.x1 + 2 * BOX_PADDING,
      h: b.y2 - b.y1 + 2 * BOX_PADDING,
    });
  }
  return out;
}
