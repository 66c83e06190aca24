import { describe, expect, it } from 'vitest';
import { nestedLayout } from './nestedLayout';

type Rect = { x0: number; y0: number; x1: number; y1: number };

function boundsOf(
  ids: readonly string[],
  pos: ReadonlyMap<string, { x: number; y: number }>,
): Rect {
  const ps = ids.map((id) => pos.get(id) ?? { x: Number.NaN, y: Number.NaN });
  const xs = ps.map((p) => p.x);
  const ys = ps.map((p) => p.y);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

const overlap = (a: Rect, b: Rect) => a.x0 <= b.x1 && b.x0 <= a.x1 && a.y0 <= b.y1 && b.y0 <= a.y1;

describe('nested boxes layout', () => {
  it('keeps the members of sibling boxes apart at every level', () => {
    const leaves = [
      { id: 'v1', parent: 'app:reviews' },
      { id: 'v2', parent: 'app:reviews' },
      { id: 'web', parent: 'box:shop' },
      { id: 'pay', parent: 'box:payments' },
      { id: 'auth', parent: 'box:platform' },
      { id: 'lonely' },
    ];
    const boxParents = new Map<string, string | undefined>([
      ['app:reviews', 'box:shop'],
      ['box:shop', 'cluster:east'],
      ['box:payments', 'cluster:east'],
      ['box:platform', 'cluster:west'],
      ['cluster:east', undefined],
      ['cluster:west', undefined],
    ]);
    const pos = nestedLayout(leaves, boxParents, [{ source: 'web', target: 'v1' }]);
    expect([...pos.keys()].sort()).toEqual(['auth', 'lonely', 'pay', 'v1', 'v2', 'web']);
    const shop = boundsOf(['v1', 'v2', 'web'], pos);
    const payments = boundsOf(['pay'], pos);
    const east = boundsOf(['v1', 'v2', 'web', 'pay'], pos);
    const west = boundsOf(['auth'], pos);
    expect(overlap(shop, payments)).toBe(false);
    expect(overlap(east, west)).toBe(false);
    expect(overlap(east, boundsOf(['lonely'], pos))).toBe(false);
    expect(overlap(boundsOf(['v1', 'v2'], pos), boundsOf(['web'], pos))).toBe(false);
  });
});
