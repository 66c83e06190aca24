import type { CoordinationV1Api, KubeConfig, V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export interface LeaderElection {
  isLeader(): boolean;
  onChange(listener: (leader: boolean) => void): () => void;
  /** Gives the Lease up (so another replica takes over at once) and stops. */
  stop(): Promise<void>;
}

export interface LeaderOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  /** How often to renew or try to acquire. */
  retryPeriodMs?: number;
  now?: () => number;
}

/**
 * Leader election with a `coordination.k8s.io/v1` Lease, as client-go does it: the holder
 * renews `renewTime` every retry period; another replica takes the Lease over once it has not
 * been renewed for `leaseDurationSeconds`. Every write carries the Lease's resourceVersion, so
 * two replicas racing for it cannot both win (the loser gets 409 Conflict).
 */
export async function startLeaderElection(opts: LeaderOptions): Promise<LeaderElection> {
  const k8s = await import('@kubernetes/client-node');
  const api: CoordinationV1Api = opts.kubeConfig.makeApiClient(k8s.CoordinationV1Api);
  const duration = opts.leaseDurationSeconds ?? 15;
  const period = opts.retryPeriodMs ?? 2000;
  const now = opts.now ?? Date.now;
  const listeners = new Set<(leader: boolean) => void>();
  let leader = false;
  let stopped = false;
  let observedRenew = 0;
  let observedRecord = '';
  const setLeader = (v: boolean) => {
    if (v === leader) return;
    leader = v;
    opts.logger.info(
      { lease: `${opts.namespace}/${opts.name}`, identity: opts.identity, leader: v },
      v ? 'became leader' : 'lost leadership',
    );
    for (const l of listeners) l(v);
  };
  const spec = (prev: V1Lease | undefined, transitions: number) => ({
    holderIdentity: opts.identity,
    leaseDurationSeconds: duration,
    acquireTime:
      prev?.spec?.holderIdentity === opts.identity && prev.spec.acquireTime
        ? prev.spec.acquireTime
        : new Date(now()),
    renewTime: new Date(now()),
    leaseTransitions: transitions,
  });
  const tryOnce = async () => {
    let lease: V1Lease | undefined;
    try {
      lease = await api.readNamespacedLease({ name: opts.name, namespace: opts.namespace });
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    if (lease === undefined) {
      await api.createNamespacedLease({
        namespace: opts.namespace,
        body: {
          metadata: { name: opts.name, namespace: opts.namespace },
          spec: spec(undefined, 0),
        },
      });
      setLeader(true);
      return;
    }
    const holder = lease.spec?.holderIdentity ?? '';
    // Expiry is judged by when *we* saw the record change, not by the holder's clock.
    const record = `${holder}|${String(lease.spec?.renewTime ?? '')}`;
    if (record !== observedRecord) {
      observedRecord = record;
      observedRenew = now();
    }
    const leaseMs = (lease.spec?.leaseDurationSeconds ?? duration) * 1000;
    const expired = holder === '' || now() - observedRenew > leaseMs;
    if (holder !== opts.identity && !expired) {
      setLeader(false);
      return;
    }
    const transitions = (lease.spec?.leaseTransitions ?? 0) + (holder === opts.identity ? 0 : 1);
    await api.replaceNamespacedLease({
      name: opts.name,
      namespace: opts.namespace,
      body: { ...lease, spec: spec(lease, transitions) },
    });
    setLeader(true);
  };
  let timer: NodeJS.Timeout | undefined;
  const loop = async () => {
    if (stopped) return;
    try {
      await tryOnce();
    } catch (err) {
      const status = statusOf(err);
      if (status !== 409) {
        opts.logger.warn(
          { err: (err as Error).message, status: status ?? null },
          'lease update failed',
        );
      }
      // A holder that cannot renew steps down before its lease can be taken over.
      if (leader && now() - lastRenewOk > duration * 1000 * 0.66) setLeader(false);
      if (status === 409) observedRecord = '';
    }
    if (leader) lastRenewOk = now();
    if (!stopped) {
      timer = setTimeout(() => void loop(), period);
      timer.unref();
    }
  };
  let lastRenewOk = now();
  await loop();
  return {
    isLeader: () => leader,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      if (!leader) return;
      setLeader(false);
      try {
        const lease = await api.readNamespacedLease({ name: opts.name, namespace: opts.namespace });
        if (lease.spec?.holderIdentity === opts.identity) {
          await api.replaceNamespacedLease({
            name: opts.name,
            namespace: opts.namespace,
            body: {
              ...lease,
              spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 },
            },
          });
        }
      } catch {
        // Best effort: the Lease expires by itself.
      }
    },
  };
}

export function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown; response?: { status?: unknown } };
  for (const v of [e.code, e.statusCode, e.response?.status]) if (typeof v === 'number') return v;
  return undefined;
}
