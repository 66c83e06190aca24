export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  random?: () => number;
}

/**
 * Exponential backoff with "equal jitter": half the exponential step plus a random half, so
 * a fleet of proxies reconnecting after a control-plane restart spreads out but still backs off.
 */
export function createBackoff(opts: BackoffOptions = {}): { next(): number; reset(): void } {
  const initial = opts.initialMs ?? 200;
  const max = opts.maxMs ?? 10_000;
  const random = opts.random ?? Math.random;
  let attempt = 0;
  return {
    next() {
      const step = Math.min(max, initial * 2 ** attempt);
      attempt = Math.min(attempt + 1, 30);
      return step / 2 + random() * (step / 2);
    },
    reset() {
      attempt = 0;
    },
  };
}
