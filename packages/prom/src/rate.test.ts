import { describe, expect, it } from 'vitest';
import { increase, irate, rate } from './rate';

const pts = (...pairs: [number, number][]) => pairs.map(([t, v]) => ({ t: t * 1000, v }));

describe('increase/rate (Prometheus extrapolatedRate)', () => {
  it('needs two samples in the window', () => {
    expect(increase(pts([10, 1]), 0, 60_000)).toBeUndefined();
    expect(increase([], 0, 60_000)).toBeUndefined();
  });

  it('extrapolates to both edges when samples are close to them', () => {
    // Samples every 15 s from 5 s to 50 s, +10 each: 30 over 45 s, extrapolated to 55 s (5 s + 5 s).
    const p = pts([5, 100], [20, 110], [35, 120], [50, 130]);
    expect(increase(p, 0, 55_000)).toBeCloseTo(30 * (55 / 45), 12);
    expect(rate(p, 0, 55_000)).toBeCloseTo((30 * (55 / 45)) / 55, 12);
  });

  it('extrapolates only half an interval when the edge is further than 1.1 intervals', () => {
    // Window 0..100 s, samples at 40..70 s every 10 s: +30 over 30 s; both gaps (40 s, 30 s) are > 11 s.
    const p = pts([40, 100], [50, 110], [60, 120], [70, 130]);
    expect(increase(p, 0, 100_000)).toBeCloseTo(30 * (40 / 30), 12);
  });

  it('does not extrapolate a counter below zero', () => {
    // Starts at 5 and rises by 10 per 10 s: zero was reached 5 s before the first sample.
    const p = pts([9, 5], [19, 15], [29, 25]);
    expect(increase(p, 0, 30_000)).toBeCloseTo(20 * ((20 + 5 + 1) / 20), 12);
  });

  it('treats any decrease as a counter reset', () => {
    const p = pts([1, 10], [11, 20], [21, 3], [31, 8]);
    // 10 -> 20 (+10), reset to 3 (+3), 3 -> 8 (+5) = 18; durationToStart 1 s, end 9 s, avg 10 s.
    expect(increase(p, 0, 40_000)).toBeCloseTo(18 * (40 / 30), 12);
  });

  it('uses a left-open window: a sample exactly at the start is outside', () => {
    const p = pts([0, 0], [10, 10], [20, 20], [30, 30]);
    expect(increase(p, 0, 30_000)).toBeCloseTo(20 * (30 / 20), 12);
  });
});

describe('irate', () => {
  it('uses the last two samples', () => {
    expect(irate(pts([0, 1], [10, 5], [12, 9]))).toBe(2);
  });
  it('takes the new value after a reset', () => {
    expect(irate(pts([0, 50], [10, 5]))).toBe(0.5);
  });
  it('is undefined for fewer than two samples or equal timestamps', () => {
    expect(irate(pts([0, 1]))).toBeUndefined();
    expect(irate(pts([5, 1], [5, 2]))).toBeUndefined();
  });
});
