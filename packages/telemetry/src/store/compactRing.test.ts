import { describe, expect, it } from 'vitest';
import { BLOCK, CompactRing } from './compactRing';

/** A deterministic PRNG so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('CompactRing', () => {
  it('reads back every row in retention exactly, whatever the values', () => {
    const retained = 362;
    const ring = new CompactRing(retained, 5);
    const rand = rng(7);
    const written = new Map<number, number[]>();
    const sums = [0, 0, 0, 0, 0];
    const wrong: string[] = [];
    const check = (round: number, every: number): void => {
      for (let r = Math.max(0, round - retained + 1); r <= round; r++) {
        if (r % every !== round % every) continue;
        for (let c = 0; c < 5; c++) {
          const got = ring.get(r, c);
          if (!Object.is(got, written.get(r)?.[c])) wrong.push(`round ${r} col ${c}: ${got}`);
        }
      }
    };
    for (let round = 0; round < 2_000; round++) {
      // an aggregate that reports in bursts, with pauses longer than a block
      if (round % 500 > 420 || rand() < 0.1) continue;
      sums[0] = (sums[0] ?? 0) + Math.floor(rand() * 50); // request counts: uint16 increments
      sums[1] = (sums[1] ?? 0) + rand() * 1e-3; // fractional: switches to float64
      sums[2] = (sums[2] ?? 0) + Math.floor(rand() * 5e6); // bytes: float32 increments
      sums[3] = Math.floor(rand() * 20) - 5; // a gauge going up and down: float32 increments
      // uint16 until the first increment past 65,534 moves the column to float32 (kept exact)
      sums[4] = (sums[4] ?? 0) + Math.floor(rand() * (round < 700 ? 60_000 : 90_000));
      const row = [...sums];
      ring.put(round, row);
      written.set(round, row);
      check(round, 97); // a sample of the rows in retention after each round
    }
    check(Math.max(...written.keys()), 1); // all of them at the end
    expect(wrong).toEqual([]);
    expect(ring.slots).toBe(ring.maxSlots);
  });

  it('stores request counts as uint16 increments: about a third of the bytes of float64 rows', () => {
    const retained = 362;
    const ring = new CompactRing(retained, 35);
    const row = new Float64Array(35);
    for (let round = 0; round < 1_000; round++) {
      for (let c = 0; c < 34; c++) row[c] = (row[c] ?? 0) + 37 * c + round;
      ring.put(round, row);
    }
    expect(ring.get(999, 34)).toBe(0);
    expect(ring.get(999, 33)).toBe(row[33]);
    const float64Rows = retained * 35 * 8;
    expect(ring.byteLength).toBeLessThan(float64Rows * 0.36);
  });

  it('holds one block for an aggregate seen a few rounds, a full ring once it needs more', () => {
    const ring = new CompactRing(362, 35);
    for (let round = 0; round < 3; round++) ring.put(round, new Float64Array(35).fill(round));
    expect(ring.slots).toBe(BLOCK);
    expect(ring.byteLength).toBeLessThan(3_000);
    const full = ring.fullByteLength;
    for (let round = 3; round < 100; round++) ring.put(round, new Float64Array(35).fill(round));
    expect(ring.slots).toBe(384); // 362 rounds plus one block being overwritten
    expect(ring.byteLength).toBe(full);
    expect(ring.get(0, 5)).toBe(0);
    expect(ring.get(99, 5)).toBe(99);
  });

  it('reads NaN for a column added after rows were written, then its values', () => {
    const ring = new CompactRing(20, 2);
    ring.put(0, [1, 7]);
    ring.put(1, [2, 8]);
    ring.relayout([0, -1, -1, 1]);
    ring.put(2, [3, 10, 11, 9]);
    expect([0, 1, 2, 3].map((c) => ring.get(1, c))).toEqual([2, NaN, NaN, 8]);
    expect([0, 1, 2, 3].map((c) => ring.get(2, c))).toEqual([3, 10, 11, 9]);
    expect(ring.get(3, 0)).toBeUndefined();
  });
});
