import type { ControlPlaneClient, Endpoint } from '@meshlens/cp-client';
import type {
  DestinationPolicy,
  DiscoverySource,
  EndpointInfo,
} from '../discovery/discoverySource';

/** Watches are opened per destination on first use; untrusted Host names must not open unbounded watches. */
const MAX_WATCHES = 256;
const FIRST_SNAPSHOT_WAIT_MS = 3000;

interface Watch {
  endpoints: EndpointInfo[] | undefined;
  /** The service's own `ip:port` addresses (ClusterIPs), when the control plane sends them. */
  addresses: string[];
  stop: () => void;
  first: Promise<void>;
}

/**
 * Endpoints from the control plane's watches. While the control plane is away the client
 * reports nothing, so the last known endpoints stay in force.
 */
export class ControlPlaneDiscovery implements DiscoverySource {
  private readonly watches = new Map<string, Watch>();
  private readonly listeners = new Set<() => void>();
  private started = false;

  constructor(private readonly client: Pick<ControlPlaneClient, 'watchEndpoints'>) {}

  endpoints(service: string): EndpointInfo[] | undefined {
    const w = this.watches.get(service);
    if (w === undefined) {
      void this.prepare(service);
      return undefined;
    }
    return w.endpoints;
  }

  /** Only services already watched are known by address (the control plane is asked per service). */
  serviceAt(address: string, port: number): string | undefined {
    const wanted = `${address}:${port}`;
    for (const [service, w] of this.watches) if (w.addresses.includes(wanted)) return service;
    return undefined;
  }

  policy(): DestinationPolicy | undefined {
    return undefined;
  }

  prepare(service: string): Promise<void> {
    const existing = this.watches.get(service);
    if (existing !== undefined) return existing.first;
    if (this.watches.size >= MAX_WATCHES) return Promise.resolve();
    let resolveFirst: () => void = () => undefined;
    const first = new Promise<void>((r) => (resolveFirst = r));
    const timer = setTimeout(resolveFirst, FIRST_SNAPSHOT_WAIT_MS);
    const watch: Watch = { endpoints: undefined, addresses: [], stop: () => undefined, first };
    this.watches.set(service, watch);
    watch.stop = this.client.watchEndpoints(service, (eps, addresses) => {
      watch.endpoints = eps.map(toInfo);
      watch.addresses = addresses;
      clearTimeout(timer);
      resolveFirst();
      for (const l of this.listeners) l();
    });
    return first;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): Promise<void> {
    this.started = true;
    return Promise.resolve();
  }

  stop(): void {
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
  }

  ready(): boolean {
    return this.started;
  }

  describe(): unknown {
    return {
      source: 'control-plane',
      services: Object.fromEntries(
        [...this.watches].map(([k, w]) => [k, w.endpoints ?? 'pending']),
      ),
    };
  }
}

function toInfo(e: Endpoint): EndpointInfo {
  return {
    namespace: e.namespace,
    service: e.service,
    workload: e.workload,
    pod: e.pod,
    version: e.version,
    serviceAccount: e.serviceAccount,
    address: e.address,
    port: e.port,
    adminAddress: e.adminAddress,
    adminPort: e.adminPort,
  };
}
