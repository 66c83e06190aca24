import { describe, expect, it } from 'vitest';
import { histogramQuantile, histogramQuantiles } from './histogramQuantile';

const b = (...pairs: [number, number][]) => pairs.map(([le, count]) => ({ le, count }));
const LINKERD = b([1, 10], [2, 20], [5, 60], [10, 90], [Infinity, 100]);

describe('histogramQuantile (PromQL bucketQuantile)', () => {
  it('interpolates linearly inside the bucket', () => {
    expect(histogramQuantile(0.5, LINKERD)).toBe(2 + (5 - 2) * (30 / 40));
    expect(histogramQuantile(0.9, LINKERD)).toBe(10);
  });

  it('interpolates the lowest bucket from zero when its bound is positive', () => {
    expect(histogramQuantile(0.05, LINKERD)).toBe(0.5);
  });

  it('answers the lowest bound when it is not positive', () => {
    expect(histogramQuantile(0.01, b([-1, 5], [0, 6], [Infinity, 10]))).toBe(-1);
  });

  it('answers the second-highest bound when the rank falls into +Inf', () => {
    expect(histogramQuantile(0.99, LINKERD)).toBe(10);
  });

  it('sorts buckets and coalesces equal bounds', () => {
    expect(histogramQuantile(0.5, b([Infinity, 100], [5, 30], [2, 10], [5, 30]))).toBe(
      2 + 3 * (40 / 50),
    );
  });

  it('forces monotonic counts', () => {
    // Without the fix the 2-bucket would count 8 and the answer be 2 + 2 * (7 / 12).
    expect(histogramQuantile(0.75, b([1, 10], [2, 8], [4, 20], [Infinity, 20]))).toBe(3);
  });

  it('gives -Inf/+Inf outside [0,1] and NaN for NaN q', () => {
    expect(histogramQuantile(-0.1, LINKERD)).toBe(-Infinity);
    expect(histogramQuantile(1.1, LINKERD)).toBe(Infinity);
    expect(histogramQuantile(NaN, LINKERD)).toBeNaN();
  });

  it('is NaN without +Inf, with fewer than two buckets, or with no observations', () => {
    expect(histogramQuantile(0.5, b([1, 1], [2, 2]))).toBeNaN();
    expect(histogramQuantile(0.5, b([Infinity, 5]))).toBeNaN();
    expect(histogramQuantile(0.5, b([1, 0], [Infinity, 0]))).toBeNaN();
    expect(histogramQuantile(0.5, [])).toBeNaN();
  });

  it('does not modify its input', () => {
    const input = b([2, 8], [1, 10], [Infinity, 20]);
    histogramQuantile(0.5, input);
    expect(input).toEqual(b([2, 8], [1, 10], [Infinity, 20]));
  });

  it('several quantiles at once answer what one at a time answers, NaN cases included', () => {
    const qs = [Number.NaN, -0.5, 0, 0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 1, 1.5];
    const inputs = [
      LINKERD,
      b([Infinity, 100], [5, 30], [2, 10], [5, 30]),
      b([-1, 5], [0, 6], [Infinity, 10]),
      b([1, 5], [2, 4], [Infinity, 3]), // not monotonic
      b([1, 0], [Infinity, 0]), // no observations
      b([1, 5], [2, 10]), // no +Inf bucket
      b([Infinity, 10]), // one bucket
      [],
    ];
    for (const input of inputs) {
      const one = qs.map((q) => histogramQuantile(q, input));
      expect(histogramQuantiles(qs, input)).toEqual(one);
    }
    expect(histogramQuantiles([0.5, 0.9], LINKERD)).toEqual([2 + (5 - 2) * (30 / 40), 10]);
  });
});
