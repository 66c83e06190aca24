import { describe, expect, it } from 'vitest';
import { computeRanks, layeredLayout, stableLayout } from './layout';

describe('layered layout', () => {
  it('ranks callers before callees and survives cycles', () => {
    const ranks = computeRanks(
      ['web', 'api', 'db', 'cache'],
      [
        { source: 'web', target: 'api' },
        { source: 'api', target: 'db' },
        { source: 'api', target: 'cache' },
        { source: 'db', target: 'api' },
      ],
    );
    expect(Object.fromEntries(ranks)).toEqual({ web: 0, api: 1, db: 2, cache: 2 });
  });

  it('places each node once, columns by rank', () => {
    const pos = layeredLayout(
      ['a', 'b', 'c'],
      [
        { source: 'a', target: 'b' },
        { source: 'a', target: 'c' },
      ],
    );
    expect(pos.get('a')).toEqual({ x: 0, y: 0 });
    expect(pos.get('b')?.x).toBe(220);
    expect(pos.get('c')?.x).toBe(220);
    expect(Math.abs((pos.get('b')?.y ?? 0) - (pos.get('c')?.y ?? 0))).toBe(80);
  });

  it('keeps existing positions and lays out only new nodes', () => {
    const known = new Map([
      ['a', { x: 500, y: 500 }],
      ['b', { x: 900, y: 100 }],
    ]);
    const pos = stableLayout(['a', 'b', 'c'], [{ source: 'a', target: 'c' }], known);
    expect(pos.get('a')).toEqual({ x: 500, y: 500 });
    expect(pos.get('b')).toEqual({ x: 900, y: 100 });
    expect(pos.has('c')).toBe(true);
    const taken = [...pos.values()].map((p) => `${p.x}:${p.y}`);
    expect(new Set(taken).size).toBe(3);
  });

  it('lays out 500 nodes and 1500 edges completely', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `n${i}`);
    const edges = Array.from({ length: 1500 }, (_, i) => ({
      source: `n${i % 500}`,
      target: `n${(i * 7 + 13) % 500}`,
    }));
    const pos = layeredLayout(ids, edges);
    expect(pos.size).toBe(500);
    expect([...pos.values()].every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))).toBe(true);
  });

  it('wraps a deep chain into bands instead of one endless strip', () => {
    const ids = Array.from({ length: 60 }, (_, i) => `n${String(i).padStart(2, '0')}`);
    const edges = ids.slice(1).map((id, i) => ({ source: ids[i] ?? '', target: id }));
    const pos = [...layeredLayout(ids, edges).values()];
    const width = Math.max(...pos.map((p) => p.x)) - Math.min(...pos.map((p) => p.x));
    const height = Math.max(...pos.map((p) => p.y)) - Math.min(...pos.map((p) => p.y));
    expect(width).toBeLessThan(60 * 220);
    expect(height).toBeGreaterThan(0);
    expect(new Set(pos.map((p) => `${p.x}:${p.y}`)).size).toBe(60);
  });
});

describe('namespace boxes', () => {
  it('lays each box out on its own and never lets two boxes overlap', async () => {
    const { layoutLeaves } = await import('./groupLayout');
    const leaves = [
      { id: 'a1', parent: 'A' },
      { id: 'a2', parent: 'A' },
      { id: 'a3', parent: 'A' },
      { id: 'b1', parent: 'B' },
      { id: 'b2', parent: 'B' },
      { id: 'c' },
    ];
    const edges = [
      { source: 'a1', target: 'a2' },
      { source: 'a2', target: 'a3' },
      { source: 'a3', target: 'b1' },
      { source: 'b1', target: 'b2' },
      { source: 'b2', target: 'c' },
    ];
    const pos = layoutLeaves(leaves, edges, new Map());
    const box = (ids: string[]) => {
      const ps = ids.map((id) => pos.get(id) ?? { x: Number.NaN, y: Number.NaN });
      const xs = ps.map((p) => p.x);
      const ys = ps.map((p) => p.y);
      return { x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys) };
    };
    const a = box(['a1', 'a2', 'a3']);
    const b = box(['b1', 'b2']);
    const apart = a.x1 < b.x0 || b.x1 < a.x0 || a.y1 < b.y0 || b.y1 < a.y0;
    expect(apart).toBe(true);
    expect(pos.size).toBe(6);
    // callers before callees inside a box
    expect((pos.get('a1')?.x ?? 0) < (pos.get('a2')?.x ?? 0)).toBe(true);
  });
});
