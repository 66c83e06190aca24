import type { EndpointInfo } from '../discovery/discoverySource';
import { EndpointState } from './endpointState';

export type LbKind = 'p2c' | 'round-robin';

/**
 * Picks endpoints of one service. States survive discovery updates for endpoints that
 * stay (keyed by address:port), so latency and ejection history is not lost on reload.
 */
export class Balancer {
  private states: EndpointState[] = [];
  private rr = 0;

  constructor(
    private readonly kind: LbKind,
    private readonly random: () => number = Math.random,
  ) {}

  update(endpoints: readonly EndpointInfo[], now: number): void {
    const old = new Map(this.states.map((s) => [s.key, s]));
    this.states = endpoints.map((info) => {
      const prev = old.get(`${info.address}:${info.port}`);
      if (prev === undefined) return new EndpointState(info, now);
      prev.info = info;
      return prev;
    });
  }

  get size(): number {
    return this.states.length;
  }

  all(): readonly EndpointState[] {
    return this.states;
  }

  /** Returns an endpoint not in `exclude`, preferring available ones; undefined if none. */
  pick(now: number, exclude?: ReadonlySet<EndpointState>): EndpointState | undefined {
    const fresh = (s: EndpointState) => exclude === undefined || !exclude.has(s);
    let candidates = this.states.filter((s) => s.available(now) && fresh(s));
    // Panic mode (as Envoy): when every endpoint is ejected, trying one beats failing fast.
    if (candidates.length === 0) candidates = this.states.filter(fresh);
    if (candidates.length === 0) return undefined;
    if (candidates.length === 1) return candidates[0];
    if (this.kind === 'round-robin') {
      this.rr = (this.rr + 1) % candidates.length;
      return candidates[this.rr];
    }
    const n = candidates.length;
    const i = Math.floor(this.random() * n);
    let j = Math.floor(this.random() * (n - 1));
    if (j >= i) j++;
    const a = candidates[i];
    const b = candidates[j];
    if (a === undefined || b === undefined) return a ?? b;
    return a.cost(now) <= b.cost(now) ? a : b;
  }
}
