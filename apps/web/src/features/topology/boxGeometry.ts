// Namespace boxes of big graphs are plain nodes drawn behind their members, not compound nodes:
// cytoscape walks a compound's parents and children on every style change of every member, which
// made a 500-node graph with boxes 4x slower to open than the same graph without (see
// docs/adr/0019-graph-at-scale.md). Their size comes from here instead.
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

/**
 * Grows each box to hold the boxes inside it (cluster > namespace > app), innermost first: a box
 * holding only boxes gets its rectangle from theirs, with the same padding around them.
 */
export function nestBoxRects(
  rects: ReadonlyMap<string, BoxRect>,
  /** box id -> the box holding it */
  boxParents: ReadonlyMap<string, string | undefined>,
): Map<string, BoxRect> {
  const depth = (id: string): number => {
    let d = 0;
    for (let p = boxParents.get(id); p !== undefined && d < 16; p = boxParents.get(p)) d++;
    return d;
  };
  const bounds = new Map<string, { x1: number; y1: number; x2: number; y2: number }>();
  for (const [id, r] of rects) {
    bounds.set(id, { x1: r.x - r.w / 2, y1: r.y - r.h / 2, x2: r.x + r.w / 2, y2: r.y + r.h / 2 });
  }
  const boxes = [...new Set([...rects.keys(), ...boxParents.keys()])];
  boxes.sort((a, b) => depth(b) - depth(a) || a.localeCompare(b));
  for (const id of boxes) {
    const parent = boxParents.get(id);
    const b = bounds.get(id);
    if (parent === undefined || b === undefined) continue;
    const grown = {
      x1: b.x1 - BOX_PADDING,
      y1: b.y1 - BOX_PADDING,
      x2: b.x2 + BOX_PADDING,
      y2: b.y2 + BOX_PADDING,
    };
    const pb = bounds.get(parent);
    if (pb === undefined) bounds.set(parent, grown);
    else {
      pb.x1 = Math.min(pb.x1, grown.x1);
      pb.y1 = Math.min(pb.y1, grown.y1);
      pb.x2 = Math.max(pb.x2, grown.x2);
      pb.y2 = Math.max(pb.y2, grown.y2);
    }
  }
  const out = new Map<string, BoxRect>();
  for (const [id, b] of bounds) {
    out.set(id, { x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2, w: b.x2 - b.x1, h: b.y2 - b.y1 });
  }
  return out;
}
