import { describe, expect, it } from 'vitest';
import { RetryBudget } from './retryBudget';

describe('RetryBudget', () => {
  it('allows the floor plus 20% of requests over the window', () => {
    const b = new RetryBudget(0.2, 1, 10);
    const t = 1_000_000;
    for (let i = 0; i < 100; i++) b.recordRequest(t);
    let allowed = 0;
    for (let i = 0; i < 100; i++) if (b.tryRetry(t)) allowed++;
    expect(allowed).toBe(30); // 1/s * 10 s + 0.2 * 100
  });

  it('forgets requests and retries older than the window', () => {
    const b = new RetryBudget(0.2, 1, 10);
    for (let i = 0; i < 10; i++) b.tryRetry(1_000_000);
    expect(b.tryRetry(1_000_000)).toBe(false);
    expect(b.tryRetry(1_011_000)).toBe(true);
  });
});
