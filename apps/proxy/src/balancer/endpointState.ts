import type { EndpointInfo } from '../discovery/discoverySource';

/** Linkerd's default RTT guess for an endpoint with no samples yet. */
const DEFAULT_RTT_MS = 30;
const DECAY_MS = 10_000;
const FAILURES_TO_EJECT = 5;
const BASE_EJECTION_MS = 1_000;
const MAX_EJECTION_MS = 30_000;

export type Health = 'healthy' | 'ejected' | 'probing';

/**
 * Live state of one endpoint: peak-EWMA latency, requests in flight, and outlier ejection
 * with exponential backoff. After the backoff, one probe request is let through; its
 * success restores the endpoint, its failure doubles the backoff.
 */
export class EndpointState {
  inFlight = 0;
  private rttMs = DEFAULT_RTT_MS;
  private stampMs: number;
  private consecutiveFailures = 0;
  private ejections = 0;
  private ejectedUntil = 0;
  private probeInFlight = false;
  requests = 0;
  failures = 0;

  constructor(
    public info: EndpointInfo,
    now: number,
  ) {
    this.stampMs = now;
  }

  get key(): string {
    return `${this.info.address}:${this.info.port}`;
  }

  /** Peak-EWMA cost: decayed latency estimate weighted by load (Linkerd/Finagle). */
  cost(now: number): number {
    const elapsed = Math.max(0, now - this.stampMs);
    const decayed = this.rttMs * Math.exp(-elapsed / DECAY_MS);
    return (decayed + 1e-3) * (this.inFlight + 1);
  }

  health(now: number): Health {
    if (this.ejectedUntil === 0) return 'healthy';
    return now < this.ejectedUntil ? 'ejected' : 'probing';
  }

  /** Can this endpoint take a request now? A probing endpoint takes one at a time. */
  available(now: number): boolean {
    const h = this.health(now);
    if (h === 'healthy') return true;
    return h === 'probing' && !this.probeInFlight;
  }

  start(now: number): void {
    this.inFlight++;
    this.requests++;
    if (this.health(now) === 'probing') this.probeInFlight = true;
  }

  /** The request is over (response body done or failed): it no longer loads the endpoint. */
  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /**
   * Records the outcome of an attempt (at response headers or failure); returns true when
   * this endpoint just got ejected. A refused connection ejects at once: nobody listens.
   */
  observe(now: number, rttMs: number, outcome: 'ok' | 'failure' | 'refused'): boolean {
    this.observeRtt(now, rttMs);
    const wasProbe = this.probeInFlight;
    this.probeInFlight = false;
    if (outcome === 'ok') {
      this.consecutiveFailures = 0;
      if (this.ejectedUntil !== 0 && (wasProbe || now >= this.ejectedUntil)) {
        this.ejectedUntil = 0;
        this.ejections = 0;
      }
      return false;
    }
    this.failures++;
    this.consecutiveFailures++;
    const eject =
      wasProbe || outcome === 'refused' || this.consecutiveFailures >= FAILURES_TO_EJECT;
    if (!eject || this.health(now) === 'ejected') return false;
    const backoff = Math.min(MAX_EJECTION_MS, BASE_EJECTION_MS * 2 ** this.ejections);
    this.ejections++;
    this.ejectedUntil = now + backoff;
    this.consecutiveFailures = 0;
    return true;
  }

  private observeRtt(now: number, rttMs: number): void {
    const elapsed = Math.max(0, now - this.stampMs);
    this.stampMs = now;
    if (rttMs > this.rttMs) {
      this.rttMs = rttMs;
    } else {
      const w = Math.exp(-elapsed / DECAY_MS);
      this.rttMs = this.rttMs * w + rttMs * (1 - w);
    }
  }

  describe(now: number): object {
    return {
      ...this.info,
      health: this.health(now),
      inFlight: this.inFlight,
      ewmaMs: Number(this.rttMs.toFixed(3)),
      requests: this.requests,
      failures: this.failures,
    };
  }
}
