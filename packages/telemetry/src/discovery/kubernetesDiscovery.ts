import type { CoreV1Api, KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { ScrapeTarget, TargetDiscovery } from '../scrape/targets';

/** Admin port names of proxies we know how to read. */
export const PROXY_ADMIN_PORT_NAMES = ['linkerd-admin', 'meshlens-admin'];

const WORKLOAD_LABELS: Readonly<Record<string, string>> = {
  'linkerd.io/proxy-deployment': 'deployment',
  'linkerd.io/proxy-statefulset': 'statefulset',
  'linkerd.io/proxy-daemonset': 'daemonset',
  'meshlens.io/workload': 'deployment',
};

/** deployment/statefulset/... label of a pod, as Linkerd's scrape config derives it. */
function workloadLabels(pod: V1Pod): Record<string, string> {
  const labels = pod.metadata?.labels ?? {};
  for (const [podLabel, targetLabel] of Object.entries(WORKLOAD_LABELS)) {
    const v = labels[podLabel];
    if (v) return { [targetLabel]: v };
  }
  const owner =
    pod.metadata?.ownerReferences?.find((o) => o.controller) ?? pod.metadata?.ownerReferences?.[0];
  if (!owner) return {};
  if (owner.kind === 'ReplicaSet') {
    const hash = labels['pod-template-hash'];
    const name =
      hash && owner.name.endsWith(`-${hash}`) ? owner.name.slice(0, -hash.length - 1) : owner.name;
    return { deployment: name };
  }
  return { [owner.kind.toLowerCase()]: owner.name };
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** app and version pod labels (the recommended `app.kubernetes.io/*` first, then Istio's). */
function appLabels(pod: V1Pod): Record<string, string> {
  const labels = pod.metadata?.labels ?? {};
  const out: Record<string, string> = {};
  const app = labels['app.kubernetes.io/name'] ?? labels.app;
  const version = labels['app.kubernetes.io/version'] ?? labels.version;
  if (app) out.app = app;
  if (version) out.version = version;
  return out;
}

/** Scrape targets of one pod: its proxy admin port, or what prometheus.io annotations say. */
export function podTargets(pod: V1Pod): ScrapeTarget[] {
  const ip = pod.status?.podIP;
  if (!ip || pod.status?.phase !== 'Running') return [];
  const namespace = pod.metadata?.namespace ?? 'default';
  const name = pod.metadata?.name ?? '';
  const labels = { namespace, pod: name, ...workloadLabels(pod), ...appLabels(pod) };
  // meshlens's proxy is a native sidecar: an init container with restartPolicy Always.
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...sidecars, ...(pod.spec?.containers ?? [])]) {
    const port = c.ports?.find(
      (p) => p.name !== undefined && PROXY_ADMIN_PORT_NAMES.includes(p.name),
    );
    if (port) {
      return [
        {
          url: `http://${hostPort(ip, port.containerPort)}/metrics`,
          labels,
          discovery: 'kubernetes',
        },
      ];
    }
  }
  const ann = pod.metadata?.annotations ?? {};
  if (ann['prometheus.io/scrape'] !== 'true') return [];
  const port = Number(ann['prometheus.io/port'] ?? 'NaN');
  if (!Number.isInteger(port) || port < 1 || port > 65535) return [];
  const scheme = ann['prometheus.io/scheme'] === 'https' ? 'https' : 'http';
  const rawPath = ann['prometheus.io/path'] ?? '/metrics';
  const path = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
  return [{ url: `${scheme}://${hostPort(ip, port)}${path}`, labels, discovery: 'kubernetes' }];
}

export interface KubernetesDiscoveryOptions {
  /** a loaded KubeConfig; default: in-cluster when running in a pod, else ~/.kube/config */
  kubeConfig?: KubeConfig;
  /** only these namespaces (default: all) */
  namespaces?: string[];
}

/**
 * Pods from the Kubernetes API (listed once per round: rounds are seconds apart, a watch is not
 * needed). The client library is loaded on first use: importing it costs ~130 MB of RSS, which a
 * BFF without Kubernetes discovery should not pay.
 */
export function createKubernetesDiscovery(opts: KubernetesDiscoveryOptions = {}): TargetDiscovery {
  let api: CoreV1Api | undefined;
  const fieldSelector = 'status.phase=Running';
  return {
    kind: 'kubernetes',
    async targets() {
      if (!api) {
        const k8s = await import('@kubernetes/client-node');
        let kc = opts.kubeConfig;
        if (!kc) {
          kc = new k8s.KubeConfig();
          // in-cluster service account when running in a pod, else ~/.kube/config
          kc.loadFromDefault();
        }
        api = kc.makeApiClient(k8s.CoreV1Api);
      }
      const pods: V1Pod[] = [];
      if (opts.namespaces?.length) {
        for (const namespace of opts.namespaces) {
          pods.push(...(await api.listNamespacedPod({ namespace, fieldSelector })).items);
        }
      } else {
        pods.push(...(await api.listPodForAllNamespaces({ fieldSelector })).items);
      }
      return pods.flatMap(podTargets);
    },
  };
}
