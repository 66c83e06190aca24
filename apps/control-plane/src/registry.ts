import { EventEmitter } from 'node:events';
import type { DeregisterRequest, Endpoint, EndpointRegistration } from '@meshlens/cp-client';

interface Lease {
  endpoint: Endpoint;
  expiresAt: number;
  /** Open lease streams holding it: a held lease does not expire. */
  holders: number;
}

export interface EndpointRegistry {
  /** Registers or renews; returns true when the set of endpoints of the service changed. */
  upsert(reg: EndpointRegistration): boolean;
  /**
   * Registers like upsert and holds the lease until the returned release is called (a lease
   * stream: the registering proxy keeps a response open instead of renewing). On release the
   * lease runs its TTL from then, so a proxy that went away drops out after one TTL.
   */
  hold(reg: EndpointRegistration): { changed: boolean; release: () => void };
  remove(req: DeregisterRequest): boolean;
  /** Re-adds endpoints saved by a previous process, each with a fresh lease. */
  restore(endpoints: readonly Endpoint[]): void;
  list(): Endpoint[];
  /**
   * `service` is "name.namespace". `addresses`: the service's virtual addresses (ClusterIP:port)
   * when known, so a proxy can map a dialled address to the service.
   */
  forService(service: string): { revision: number; endpoints: Endpoint[]; addresses?: string[] };
  size(): number;
  serviceCount(): number;
  /** Fires with "name.namespace" whenever that service's endpoints change. */
  onChange(listener: (service: string) => void): () => void;
  close(): void;
}

export function serviceKey(namespace: string, service: string): string {
  return `${service}.${namespace}`;
}

/**
 * Endpoints with leases. A lease that is not renewed within its TTL disappears at the next
 * sweep (sweeps run every `sweepMs`, so removal lags at most TTL + sweepMs).
 */
export function createRegistry(opts: {
  leaseTtlMs: number;
  sweepMs?: number;
  now?: () => number;
}): EndpointRegistry {
  const now = opts.now ?? Date.now;
  const byService = new Map<string, Map<string, Lease>>();
  const revisions = new Map<string, number>();
  const events = new EventEmitter();
  events.setMaxListeners(0);

  const changed = (svc: string) => {
    revisions.set(svc, (revisions.get(svc) ?? 0) + 1);
    events.emit('change', svc);
  };
  const sweep = () => {
    const t = now();
    for (const [svc, leases] of byService) {
      let removed = false;
      for (const [k, l] of leases) {
        if (l.holders === 0 && l.expiresAt <= t) {
          leases.delete(k);
          removed = true;
        }
      }
      if (leases.size === 0) byService.delete(svc);
      if (removed) changed(svc);
    }
  };
  const timer = setInterval(sweep, opts.sweepMs ?? 500);
  timer.unref();

  const upsert = (reg: EndpointRegistration): { lease: Lease; changed: boolean } => {
    const svc = serviceKey(reg.namespace, reg.service);
    const key = `${reg.address}:${reg.port}`;
    let leases = byService.get(svc);
    if (!leases) byService.set(svc, (leases = new Map<string, Lease>()));
    const prev = leases.get(key);
    const same = prev !== undefined && sameRegistration(prev.endpoint, reg);
    const endpoint: Endpoint = same
      ? prev.endpoint
      : { ...reg, registeredAt: new Date(now()).toISOString() };
    // Renewed in place: a lease stream's release finds the lease it holds by identity.
    const lease = prev ?? { endpoint, expiresAt: 0, holders: 0 };
    lease.endpoint = endpoint;
    lease.expiresAt = now() + opts.leaseTtlMs;
    leases.set(key, lease);
    if (!same) changed(svc);
    return { lease, changed: !same };
  };

  return {
    upsert: (reg) => upsert(reg).changed,
    hold(reg) {
      const svc = serviceKey(reg.namespace, reg.service);
      const key = `${reg.address}:${reg.port}`;
      const held = upsert(reg);
      held.lease.holders += 1;
      let released = false;
      return {
        changed: held.changed,
        release() {
          if (released) return;
          released = true;
          // Removed meanwhile (deregistered, or restored anew): nothing of ours to release.
          const { lease } = held;
          if (byService.get(svc)?.get(key) !== lease) return;
          lease.holders -= 1;
          lease.expiresAt = now() + opts.leaseTtlMs;
        },
      };
    },
    restore(endpoints) {
      const touched = new Set<string>();
      for (const endpoint of endpoints) {
        const svc = serviceKey(endpoint.namespace, endpoint.service);
        let leases = byService.get(svc);
        if (!leases) byService.set(svc, (leases = new Map<string, Lease>()));
        leases.set(`${endpoint.address}:${endpoint.port}`, {
          endpoint,
          expiresAt: now() + opts.leaseTtlMs,
          holders: 0,
        });
        touched.add(svc);
      }
      for (const svc of touched) changed(svc);
    },
    remove(req) {
      const svc = serviceKey(req.namespace, req.service);
      const leases = byService.get(svc);
      if (!leases?.delete(`${req.address}:${req.port}`)) return false;
      if (leases.size === 0) byService.delete(svc);
      changed(svc);
      return true;
    },
    list() {
      return [...byService.values()].flatMap((m) => [...m.values()].map((l) => l.endpoint));
    },
    forService(service) {
      const leases = byService.get(service);
      return {
        revision: revisions.get(service) ?? 0,
        endpoints: leases ? [...leases.values()].map((l) => l.endpoint) : [],
      };
    },
    size() {
      let n = 0;
      for (const m of byService.values()) n += m.size;
      return n;
    },
    serviceCount: () => byService.size,
    onChange(listener) {
      events.on('change', listener);
      return () => events.off('change', listener);
    },
    close() {
      clearInterval(timer);
      events.removeAllListeners();
    },
  };
}

function sameRegistration(a: Endpoint, b: EndpointRegistration): boolean {
  const keys: Array<keyof EndpointRegistration> = [
    'namespace',
    'service',
    'workload',
    'pod',
    'version',
    'serviceAccount',
    'address',
    'port',
    'adminAddress',
    'adminPort',
    'proxyVersion',
  ];
  return keys.every((k) => a[k] === b[k]);
}
