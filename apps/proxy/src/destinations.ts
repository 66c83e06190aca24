import { Balancer, type LbKind } from './balancer/balancer';
import type { DestinationPolicy, DiscoverySource, EndpointInfo } from './discovery/discoverySource';
import { RetryBudget } from './retryBudget';

/** A subset of a service's endpoints (canary/version splits). */
export interface Subset {
  version?: string | undefined;
  workload?: string | undefined;
}

export interface Destination {
  key: string; // name.namespace
  subset: Subset | undefined;
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

  get(key: string, subset?: Subset): Destination | undefined {
    return this.getOrEmpty(key, subset, false);
  }

  /**
   * `allowEmpty` false: a service no source has endpoints for yet is not cached, so the caller
   * goes on to `resolve` (a stacked source that watches on demand may still know it).
   */
  private getOrEmpty(key: string, subset: Subset | undefined, allowEmpty: boolean) {
    const mapKey = subsetKey(key, subset);
    const existing = this.byKey.get(mapKey);
    if (existing !== undefined) return existing;
    const found = this.lookup(key);
    if (found === undefined || (!allowEmpty && found.endpoints.length === 0)) return undefined;
    const dot = key.indexOf('.');
    const dest: Destination = {
      key,
      subset,
      service: key.slice(0, dot),
      namespace: key.slice(dot + 1),
      balancer: new Balancer(this.lb),
      budget: new RetryBudget(),
      policy: found.policy,
    };
    dest.balancer.update(filterSubset(found.endpoints, subset), Date.now());
    this.byKey.set(mapKey, dest);
    return dest;
  }

  /** Like get, but first lets sources that watch on demand fetch the service. */
  async resolve(key: string, subset?: Subset): Promise<Destination | undefined> {
    const known = this.get(key, subset);
    if (known !== undefined) return known;
    await Promise.all(this.sources.map((s) => s.prepare?.(key) ?? Promise.resolve()));
    return this.getOrEmpty(key, subset, true);
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

  /** The service whose own address (ClusterIP, virtual IP) a captured connection dialled. */
  serviceAt(address: string, port: number): string | undefined {
    for (const s of this.sources) {
      const key = s.serviceAt?.(address, port);
      if (key !== undefined) return key;
    }
    return undefined;
  }

  all(): Destination[] {
    return [...this.byKey.values()];
  }

  /** The first source with endpoints for the service answers; an empty answer only if no source has any. */
  private lookup(key: string) {
    let empty: { endpoints: EndpointInfo[]; policy: DestinationPolicy | undefined } | undefined;
    for (const s of this.sources) {
      const endpoints = s.endpoints(key);
      if (endpoints === undefined) continue;
      if (endpoints.length > 0) return { endpoints, policy: s.policy(key) };
      empty ??= { endpoints, policy: s.policy(key) };
    }
    return empty;
  }

  private refresh(): void {
    const now = Date.now();
    for (const [mapKey, dest] of this.byKey) {
      const found = this.lookup(dest.key);
      if (found === undefined) {
        this.byKey.delete(mapKey);
        continue;
      }
      dest.balancer.update(filterSubset(found.endpoints, dest.subset), now);
      dest.policy = found.policy;
    }
  }

  describe(): object {
    const now = Date.now();
    return Object.fromEntries(
      [...this.byKey].map(([k, d]) => [k, d.balancer.all().map((s) => s.describe(now))]),
    );
  }
}

function subsetKey(key: string, subset: Subset | undefined): string {
  if (subset === undefined || (subset.version === undefined && subset.workload === undefined))
    return key;
  return `${key}#${subset.version ?? ''}#${subset.workload ?? ''}`;
}

function filterSubset(endpoints: EndpointInfo[], subset: Subset | undefined): EndpointInfo[] {
  if (subset === undefined) return endpoints;
  return endpoints.filter(
    (e) =>
      (subset.version === undefined || e.version === subset.version) &&
      (subset.workload === undefined || e.workload === subset.workload),
  );
}
