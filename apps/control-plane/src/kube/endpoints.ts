import type { Endpoint } from '@meshlens/cp-client';
import type { V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import { serviceKey } from '../registry';

/** Names of the proxy container and its admin port, as `meshlens inject` writes them. */
export const PROXY_CONTAINER = 'meshlens-proxy';
export const ADMIN_PORT_NAME = 'meshlens-admin';
const DEFAULT_ADMIN_PORT = 4191;
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface KubeServiceView {
  endpoints: Endpoint[];
  /** ClusterIP:port pairs of the Service, so a dialled virtual address maps to it. */
  addresses: string[];
}

/**
 * Turns Services, EndpointSlices and Pods into what proxies consume, per service
 * (`name.namespace`). Only ready endpoints are listed (a not-ready endpoint receives no
 * traffic). A pod runs the mesh proxy when it has the proxy container: then its identity is its
 * service account and callers use mTLS; an endpoint without the proxy has no identity (plaintext).
 */
export function buildServiceViews(
  services: readonly V1Service[],
  slices: readonly V1EndpointSlice[],
  pods: readonly V1Pod[],
  firstSeen: (key: string) => string,
): Map<string, KubeServiceView> {
  const podsByKey = new Map<string, V1Pod>();
  for (const p of pods)
    podsByKey.set(`${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`, p);
  const views = new Map<string, KubeServiceView>();
  for (const svc of services) {
    const ns = svc.metadata?.namespace ?? 'default';
    const name = svc.metadata?.name;
    if (name === undefined) continue;
    const ips = (svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : [])).filter(
      (ip) => ip !== 'None' && ip !== '',
    );
    const addresses = ips.flatMap((ip) => (svc.spec?.ports ?? []).map((p) => hostPort(ip, p.port)));
    views.set(serviceKey(ns, name), { endpoints: [], addresses });
  }
  for (const slice of slices) {
    const ns = slice.metadata?.namespace ?? 'default';
    const svcName = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (svcName === undefined) continue;
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    const key = serviceKey(ns, svcName);
    const view = views.get(key) ?? { endpoints: [], addresses: [] };
    views.set(key, view);
    const port = httpPort(slice);
    if (port === undefined) continue;
    for (const ep of slice.endpoints) {
      // Kubernetes: a nil `ready` means ready; a terminating endpoint is not.
      if (ep.conditions?.ready === false) continue;
      const podRef = ep.targetRef?.kind === 'Pod' ? ep.targetRef : undefined;
      const pod =
        podRef === undefined
          ? undefined
          : podsByKey.get(`${podRef.namespace ?? ns}/${podRef.name ?? ''}`);
      for (const address of ep.addresses.slice(0, 1)) {
        const meshed = pod !== undefined && runsProxy(pod);
        const endpoint: Endpoint = {
          namespace: ns,
          service: svcName,
          workload: pod === undefined ? svcName : workloadOf(pod),
          pod: podRef?.name ?? address.replace(/[:.]/g, '-'),
          ...(versionOf(pod) === undefined ? {} : { version: versionOf(pod) }),
          ...(meshed ? { serviceAccount: pod.spec?.serviceAccountName ?? 'default' } : {}),
          address,
          port,
          adminAddress: address,
          adminPort: pod === undefined ? DEFAULT_ADMIN_PORT : adminPort(pod),
          proxyVersion: meshed
            ? (pod.metadata?.annotations?.['meshlens.io/proxy-version'] ?? 'unknown')
            : 'none',
          ...(ep.zone === undefined ? {} : { zone: ep.zone }),
          registeredAt: firstSeen(`${key}/${address}:${port}`),
        };
        view.endpoints.push(endpoint);
      }
    }
  }
  for (const v of views.values()) {
    v.endpoints.sort((a, b) => `${a.address}:${a.port}`.localeCompare(`${b.address}:${b.port}`));
  }
  return views;
}

/**
 * The port HTTP traffic goes to: the one whose appProtocol or name says HTTP, else the only or
 * first port. (One port per service: proxies address a service by name.)
 */
function httpPort(slice: V1EndpointSlice): number | undefined {
  const ports = (slice.ports ?? []).filter((p) => p.port !== undefined && p.protocol !== 'UDP');
  const http =
    ports.find((p) => /^(http|h2c|kubernetes\.io\/h2c|grpc)$/i.test(p.appProtocol ?? '')) ??
    ports.find((p) => /^(http|grpc)/i.test(p.name ?? ''));
  return (http ?? ports[0])?.port;
}

function runsProxy(pod: V1Pod): boolean {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  return all.some((c) => c.name === PROXY_CONTAINER);
}

function adminPort(pod: V1Pod): number {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  for (const c of all) {
    const p = c.ports?.find((x) => x.name === ADMIN_PORT_NAME);
    if (p) return p.containerPort;
  }
  return DEFAULT_ADMIN_PORT;
}

function versionOf(pod: V1Pod | undefined): string | undefined {
  const l = pod?.metadata?.labels ?? {};
  return l['version'] ?? l['app.kubernetes.io/version'];
}

/** The owning workload: a Deployment through its ReplicaSet, else the controller, else the pod. */
export function workloadOf(pod: V1Pod): string {
  const labels = pod.metadata?.labels ?? {};
  const named = labels['meshlens.io/workload'];
  if (named) return named;
  const owner =
    pod.metadata?.ownerReferences?.find((o) => o.controller) ?? pod.metadata?.ownerReferences?.[0];
  if (owner === undefined) return pod.metadata?.name ?? 'unknown';
  if (owner.kind === 'ReplicaSet') {
    const hash = labels['pod-template-hash'];
    return hash && owner.name.endsWith(`-${hash}`)
      ? owner.name.slice(0, -hash.length - 1)
      : owner.name;
  }
  return owner.name;
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
