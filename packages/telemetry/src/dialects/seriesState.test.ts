import { describe, expect, it } from 'vitest';
import { emptySeriesState, IncrementTracker, seriesHash, type SeriesState } from './seriesState';

function scrape(
  prev: SeriesState,
  samples: [string, number][],
): { deltas: number[]; state: SeriesState } {
  const tracker = new IncrementTracker(prev, samples.length);
  const deltas = samples.map(([id, v]) => tracker.increment(seriesHash('x_total', { id }), v));
  return { deltas, state: tracker.finish() };
}

describe('IncrementTracker (per-series increase semantics)', () => {
  it('counts nothing for a series on its first sample, then the difference', () => {
    const a = scrape(emptySeriesState(), [['a', 100]]);
    expect(a.deltas).toEqual([0]);
    expect(scrape(a.state, [['a', 130]]).deltas).toEqual([30]);
  });

  it('treats a drop as a counter reset: the new value is the increase, never negative', () => {
    const a = scrape(emptySeriesState(), [['a', 1000]]);
    expect(scrape(a.state, [['a', 7]]).deltas).toEqual([7]);
  });

  it('follows series when the order changes, ignores vanished ones and starts new ones at zero', () => {
    const a = scrape(emptySeriesState(), [
      ['a', 10],
      ['b', 20],
      ['c', 30],
    ]);
    const b = scrape(a.state, [
      ['c', 35],
      ['d', 500],
      ['a', 11],
    ]);
    expect(b.deltas).toEqual([5, 0, 1]);
  });

  it('hashes label names and values apart', () => {
    expect(seriesHash('m', { ab: 'c' })).not.toBe(seriesHash('m', { a: 'bc' }));
    expect(seriesHash('m', { a: 'b' })).toBe(seriesHash('m', { a: 'b' }));
  });
});
