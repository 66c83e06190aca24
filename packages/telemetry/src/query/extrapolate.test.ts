import { increase, type Point } from '@meshlens/prom';
import { describe, expect, it } from 'vitest';
import { extrapolatedIncrease } from './extrapolate';

/** A deterministic pseudo-random generator, so a failure is reproducible. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('extrapolatedIncrease', () => {
  it('equals @meshlens/prom increase() on reset-free series (first/last/count shortcut)', () => {
    const rnd = lcg(42);
    for (let i = 0; i < 500; i++) {
      const n = 2 + Math.floor(rnd() * 30);
      const points: Point[] = [];
      let t = 1_000_000 + Math.floor(rnd() * 5000);
      let v = rnd() < 0.3 ? 0 : Math.floor(rnd() * 1000);
      for (let k = 0; k < n; k++) {
        points.push({ t, v });
        t += 1000 + Math.floor(rnd() * 9000);
        v += rnd() < 0.2 ? 0 : Math.floor(rnd() * 50);
      }
      const first = points[0] as Point;
      const last = points[n - 1] as Point;
      const start = first.t - Math.floor(rnd() * 20_000);
      const end = last.t + Math.floor(rnd() * 20_000);
      const ours = extrapolatedIncrease(
        { firstT: first.t, firstV: first.v, lastT: last.t, lastV: last.v, count: n },
        start,
        end,
      );
      expect(ours).toBe(increase(points, start, end));
    }
  });

  it('needs two samples', () => {
    expect(
      extrapolatedIncrease({ firstT: 0, firstV: 1, lastT: 0, lastV: 1, count: 1 }, 0, 10),
    ).toBeUndefined();
  });
});
