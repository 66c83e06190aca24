import { describe, expect, it } from 'vitest';
import { clampInstant, replayBounds } from './replay';

describe('replay bounds', () => {
  it('start where a whole window has data and end at the latest sample, on step multiples', () => {
    const b = replayBounds({ earliestMs: 1_000_005, latestMs: 2_000_005 }, '1m', 10_000);
    expect(b).toEqual({ min: 1_070_000, max: 2_000_000 });
    expect(clampInstant(5, b ?? { min: 0, max: 0 })).toBe(1_070_000);
    expect(clampInstant(9e9, b ?? { min: 0, max: 0 })).toBe(2_000_000);
  });

  it('are absent without data or with less than one window of it', () => {
    expect(replayBounds({ earliestMs: null, latestMs: null }, '1m', 10_000)).toBeUndefined();
    expect(replayBounds({ earliestMs: 0, latestMs: 30_000 }, '1m', 10_000)).toBeUndefined();
  });
});
