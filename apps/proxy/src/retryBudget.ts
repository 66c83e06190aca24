/**
 * Retry budget (as in Linkerd/Finagle): retries may add at most `ratio` of the recent
 * request volume plus `minPerSecond` retries per second, over a sliding window of
 * one-second buckets, so retries never amplify an outage.
 */
export class RetryBudget {
  private readonly requests: number[];
  private readonly retries: number[];
  private bucketStart = 0;
  private index = 0;

  constructor(
    private readonly ratio = 0.2,
    private readonly minPerSecond = 10,
    private readonly windowSeconds = 10,
  ) {
    this.requests = new Array<number>(windowSeconds).fill(0);
    this.retries = new Array<number>(windowSeconds).fill(0);
  }

  recordRequest(now: number): void {
    this.advance(now);
    this.requests[this.index] = (this.requests[this.index] ?? 0) + 1;
  }

  /** Takes one retry from the budget if available. */
  tryRetry(now: number): boolean {
    this.advance(now);
    const reqs = sum(this.requests);
    const done = sum(this.retries);
    if (done >= this.minPerSecond * this.windowSeconds + this.ratio * reqs) return false;
    this.retries[this.index] = (this.retries[this.index] ?? 0) + 1;
    return true;
  }

  private advance(now: number): void {
    const second = Math.floor(now / 1000);
    if (this.bucketStart === 0) this.bucketStart = second;
    const steps = Math.min(this.windowSeconds, second - this.bucketStart);
    for (let s = 0; s < steps; s++) {
      this.index = (this.index + 1) % this.windowSeconds;
      this.requests[this.index] = 0;
      this.retries[this.index] = 0;
    }
    if (steps > 0) this.bucketStart = second;
  }
}

function sum(a: number[]): number {
  let t = 0;
  for (const v of a) t += v;
  return t;
}
