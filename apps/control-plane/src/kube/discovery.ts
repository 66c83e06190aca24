import type { KubeConfig, V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { EndpointRegistry } from '../registry';
import { buildServiceViews, type KubeServiceView } from './endpoints';
import { startInformer, type Informer } from './informer';

export interface KubeDiscovery {
  /** `name.namespace` -> its endpoints and addresses, when the API has that Service. */
  forService(service: string): KubeServiceView | undefined;
  services(): string[];
  synced(): boolean;
  onChange(listener: (service: string) => void): () => void;
  stop(): void;
}

/** Services, EndpointSlices and Pods of every namespace (or of the given ones), watched. */
export async function startKubeDiscovery(opts: {
  kubeConfig: KubeConfig;
  logger: Logger;
  namespaces?: readonly string[];
  backoffMs?: number;
}): Promise<KubeDiscovery> {
  const k8s = await import('@kubernetes/client-node');
  const core = opts.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const disc = opts.kubeConfig.makeApiClient(k8s.DiscoveryV1Api);
  const common = {
    kubeConfig: opts.kubeConfig,
    logger: opts.logger,
    ...(opts.backoffMs === undefined ? {} : { backoffMs: opts.backoffMs }),
  };
  const [services, slices, pods]: [
    Informer<V1Service>,
    Informer<V1EndpointSlice>,
    Informer<V1Pod>,
  ] = await Promise.all([
    startInformer<V1Service>({
      ...common,
      kind: 'Service',
      path: '/api/v1/services',
      list: () => core.listServiceForAllNamespaces(),
    }),
    startInformer<V1EndpointSlice>({
      ...common,
      kind: 'EndpointSlice',
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      list: () => disc.listEndpointSliceForAllNamespaces(),
    }),
    startInformer<V1Pod>({
      ...common,
      kind: 'Pod',
      path: '/api/v1/pods',
      list: () => core.listPodForAllNamespaces(),
    }),
  ]);
  const inScope = (ns: string | undefined) =>
    opts.namespaces === undefined || opts.namespaces.includes(ns ?? 'default');
  const firstSeen = new Map<string, string>();
  const seen = (key: string) => {
    let t = firstSeen.get(key);
    if (t === undefined) firstSeen.set(key, (t = new Date().toISOString()));
    return t;
  };
  let views = new Map<string, KubeServiceView>();
  let fingerprints = new Map<string, string>();
  const listeners = new Set<(service: string) => void>();
  const recompute = () => {
    const next = buildServiceViews(
      services.list().filter((o) => inScope(o.metadata?.namespace)),
      slices.list().filter((o) => inScope(o.metadata?.namespace)),
      pods.list().filter((o) => inScope(o.metadata?.namespace)),
      seen,
    );
    const nextPrints = new Map<string, string>();
    for (const [k, v] of next) nextPrints.set(k, JSON.stringify(v));
    const changed = new Set<string>();
    for (const [k, p] of nextPrints) if (fingerprints.get(k) !== p) changed.add(k);
    for (const k of fingerprints.keys()) if (!nextPrints.has(k)) changed.add(k);
    views = next;
    fingerprints = nextPrints;
    for (const k of changed) for (const l of listeners) l(k);
  };
  // Several objects change together (a rollout touches Pods and slices): coalesce.
  let pending: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (pending !== undefined) return;
    pending = setTimeout(() => {
      pending = undefined;
      recompute();
    }, 20);
  };
  const offs = [services, slices, pods].map((i) => i.onChange(schedule));
  recompute();
  return {
    forService: (s) => views.get(s),
    services: () => [...views.keys()],
    synced: () => services.synced() && slices.synced() && pods.synced(),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop() {
      clearTimeout(pending);
      for (const off of offs) off();
      for (const i of [services, slices, pods]) i.stop();
      listeners.clear();
    },
  };
}

/**
 * The registry proxies watch, with the Kubernetes API in front: a service the API knows is
 * answered from the API alone ("the API wins"); self-registration still serves the rest
 * (Compose, the demo, workloads outside the cluster).
 */
export function withKubernetes(registry: EndpointRegistry, kube: KubeDiscovery): EndpointRegistry {
  const revisions = new Map<string, number>();
  const offRevisions = kube.onChange((s) => revisions.set(s, (revisions.get(s) ?? 0) + 1));
  return {
    ...registry,
    list() {
      const fromApi = kube.services().flatMap((s) => kube.forService(s)?.endpoints ?? []);
      const known = new Set(kube.services());
      return [
        ...fromApi,
        ...registry.list().filter((e) => !known.has(`${e.service}.${e.namespace}`)),
      ];
    },
    forService(service) {
      const view = kube.forService(service);
      if (view === undefined) return registry.forService(service);
      return {
        revision: revisions.get(service) ?? 0,
        endpoints: view.endpoints,
        addresses: view.addresses,
      };
    },
    size() {
      return this.list().length;
    },
    serviceCount() {
      return new Set([
        ...kube.services(),
        ...registry.list().map((e) => `${e.service}.${e.namespace}`),
      ]).size;
    },
    onChange(listener) {
      const offA = registry.onChange((s) => {
        if (kube.forService(s) === undefined) listener(s);
      });
      const offB = kube.onChange(listener);
      return () => {
        offA();
        offB();
      };
    },
    close() {
      offRevisions();
      kube.stop();
      registry.close();
    },
  };
}
