import { describe, expect, it } from 'vitest';
import { BOX_PADDING, boxRects, nestBoxRects, type BoxMember, type BoxRect } from './boxGeometry';
import { layoutLeaves } from './groupLayout';

describe('boxRects', () => {
  it('encloses the members with their radius and the box padding', () => {
    const members = new Map<string, BoxMember>([
      ['a', { box: 'A', size: 20 }],
      ['b', { box: 'A', size: 40 }],
      ['c', { box: 'C', size: 30 }],
    ]);
    const positions = new Map([
      ['a', { x: 0, y: 0 }],
      ['b', { x: 200, y: 100 }],
      ['c', { x: 500, y: 500 }],
    ]);
    const rects = boxRects(members, positions);
    // A: x from -10 to 220, y from -10 to 120
    expect(rects.get('A')).toEqual({
      x: 105,
      y: 55,
      w: 230 + 2 * BOX_PADDING,
      h: 130 + 2 * BOX_PADDING,
    });
    expect(rects.get('C')).toEqual({
      x: 500,
      y: 500,
      w: 30 + 2 * BOX_PADDING,
      h: 30 + 2 * BOX_PADDING,
    });
  });

  it('skips members without a position (a box with none has no rectangle)', () => {
    const rects = boxRects(new Map([['x', { box: 'X', size: 20 }]]), new Map());
    expect(rects.size).toBe(0);
  });

  it('gives 2,000 laid-out nodes in 20 namespaces the same boxes every time, none overlapping', () => {
    const leaves = Array.from({ length: 2000 }, (_, i) => ({
      id: `n${i}`,
      parent: `ns${Math.floor(i / 100)}`,
    }));
    const edges = Array.from({ length: 6000 }, (_, i) => ({
      source: `n${(i * 7) % 2000}`,
      target: `n${(i * 13 + 5) % 2000}`,
    }));
    const members = new Map(leaves.map((l) => [l.id, { box: l.parent, size: 40 }]));
    const positions = layoutLeaves(leaves, edges, new Map());
    const first = boxRects(members, positions);
    // inside a box, no two members (40 px wide at most) overlap
    let overlapping = 0;
    for (let b = 0; b < 20; b++) {
      const ps = leaves
        .filter((l) => l.parent === `ns${b}`)
        .map((l) => positions.get(l.id) ?? { x: Number.NaN, y: Number.NaN });
      for (let i = 0; i < ps.length; i++) {
        for (let j = i + 1; j < ps.length; j++) {
          const [p, q] = [ps[i], ps[j]];
          if (p === undefined || q === undefined) continue;
          if (Math.abs(p.x - q.x) < 40 && Math.abs(p.y - q.y) < 40) overlapping++;
        }
      }
    }
    expect(overlapping).toBe(0);
    const again = boxRects(members, layoutLeaves(leaves, edges, new Map()));
    expect([...again]).toEqual([...first]);
    expect(first.size).toBe(20);
    const rects: [string, BoxRect][] = [...first];
    const edge = (r: BoxRect) => ({
      x0: r.x - r.w / 2,
      x1: r.x + r.w / 2,
      y0: r.y - r.h / 2,
      y1: r.y + r.h / 2,
    });
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const a = edge(rects[i]?.[1] ?? { x: 0, y: 0, w: 0, h: 0 });
        const b = edge(rects[j]?.[1] ?? { x: 0, y: 0, w: 0, h: 0 });
        const apart = a.x1 <= b.x0 || b.x1 <= a.x0 || a.y1 <= b.y0 || b.y1 <= a.y0;
        expect(apart, `${rects[i]?.[0]} overlaps ${rects[j]?.[0]}`).toBe(true);
      }
    }
  });
});

describe('nested backdrop boxes', () => {
  it('grows a cluster box around its namespace boxes, innermost first, with the same padding', () => {
    const rects = new Map([
      ['box:shop', { x: 0, y: 0, w: 100, h: 50 }],
      ['box:pay', { x: 300, y: 100, w: 60, h: 60 }],
      ['app:shop/reviews', { x: 0, y: 0, w: 40, h: 20 }],
    ]);
    const parents = new Map<string, string | undefined>([
      ['app:shop/reviews', 'box:shop'],
      ['box:shop', 'cluster:east'],
      ['box:pay', 'cluster:east'],
      ['cluster:east', undefined],
    ]);
    const out = nestBoxRects(rects, parents);
    // the app box (y -10..10) plus 18 px makes shop y -28..28; shop (x -50..50) and pay
    // (270..330, 70..130) plus 18 px each make the cluster x -68..348, y -46..148
    expect(out.get('box:shop')).toEqual({ x: 0, y: 0, w: 100, h: 56 });
    expect(out.get('cluster:east')).toEqual({ x: 140, y: 51, w: 416, h: 194 });
  });
});
