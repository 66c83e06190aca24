import { Balancer, type LbKind } from './balancer/balancer';
import type { DestinationPolicy, DiscoverySource, EndpointInfo } from './discovery/discoverySource';
import { RetryBudget } from './retryBudget';

export interface Destination {
  key: string; // name.namespace
  namespace: string;
  service: string;
  balancer: Balancer;
  budget: RetryBudget;
  policy: DestinationPolicy | undefined;
}

/**
 * Balancers per destination service, created on first use and refreshed whenever a
 * discovery source changes. Several sources may be stacked: the first that knows a
 * service answers for it.
 */
export class Destinations {
  private readonly byKey = new Map<string, Destination>();

  constructor(
    private readonly sources: DiscoverySource[],
    private readonly lb: LbKind,
  ) {
    for (const s of sources) s.onChange(() => this.refresh());
  }

  get(key: string): Destination | undefined {
    const existing = this.byKey.get(key);
    if (existing !== undefined) return existing;
    const found = this.lookup(key);
    if (found === undefined) return undefined;
    const dot = key.indexOf('.');
    const dest: Destination = {
      key,
      service: key.slice(0, dot),
      namespace: key.slice(dot + 1),
      balancer: new Balancer(this.lb),
      budget: new RetryBudget(),
      policy: found.policy,
    };
    dest.balancer.update(found.endpoints, Date.now());
    this.byKey.set(key, dest);
    return dest;
  }

  /** Metadata of the endpoint at address:port (for tcp_* labels of a new connection). */
  endpointAt(address: string, port: number): EndpointInfo | undefined {
    for (const d of this.byKey.values()) {
      for (const s of d.balancer.all()) {
        if (s.info.port === port && s.info.address === address) return s.info;
      }
    }
    return undefined;
  }

  all(): Destination[] {
    return [...this.byKey.values()];
  }

  private lookup(key: string) {
    for (const s of this.sources) {
      const endpoints = s.endpoints(key);
      if (endpoints !== undefined) return { endpoints, policy: s.policy(key) };
    }
    return undefined;
  }

  private refresh(): void {
    const now = Date.now();
    for (const [key, dest] of this.byKey) {
      const found = this.lookup(key);
      if (found === undefined) {
        this.byKey.delete(key);
        continue;
      }
      dest.balancer.update(found.endpoints, now);
      dest.policy = found.policy;
    }
  }

  describe(): object {
    const now = Date.now();
    return Object.fromEntries(
      this.all().map((d) => [d.key, d.balancer.all().map((s) => s.describe(now))]),
    );
  }
}
