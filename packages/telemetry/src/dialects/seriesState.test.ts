import { describe, expect, it } from 'vitest';
import {
  emptySeriesState,
  IncrementTracker,
  releaseSeriesState,
  seriesHash,
  type SeriesState,
} from './seriesState';

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

describe('state memory handed back for reuse', () => {
  it('a replaced state lends its buffer to the next one and no counter is mixed up', () => {
    // three targets scraped in turn, as a worker does; each replaced state is released
    const run = (release: boolean) => {
      const states = [emptySeriesState(), emptySeriesState(), emptySeriesState()];
      const deltas: number[][] = [];
      const reused: boolean[] = [];
      for (let round = 1; round <= 6; round++) {
        for (let t = 0; t < 3; t++) {
          const prev = states[t] as SeriesState;
          const spare = releasedBuffers.at(-1);
          const out = scrape(
            prev,
            Array.from({ length: 40 }, (_, i): [string, number] => [
              `t${t}s${i}`,
              round * (i + t + 1),
            ]),
          );
          reused.push(out.state.hashes.buffer === spare);
          states[t] = out.state;
          if (release) {
            releaseSeriesState(prev);
            if (prev.size > 0) releasedBuffers.push(prev.hashes.buffer);
          }
          deltas.push(out.deltas);
        }
      }
      return { deltas, reused };
    };
    const releasedBuffers: ArrayBufferLike[] = [];
    const plain = run(false);
    const pooled = run(true);
    expect(pooled.deltas).toEqual(plain.deltas);
    expect(pooled.deltas.at(-1)).toEqual(Array.from({ length: 40 }, (_, i) => i + 3));
    expect(pooled.reused.filter(Boolean).length).toBeGreaterThan(10);
  });
});
