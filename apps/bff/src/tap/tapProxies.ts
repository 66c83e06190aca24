import type { TapQuery } from '@meshlens/contract';
import type { TelemetrySource } from '@meshlens/telemetry';

/** A proxy to tap: where its admin listener is and what it runs beside. */
export interface TapProxy {
  pod: string;
  namespace: string;
  workload: string;
  /** http://host:port of the admin listener */
  adminOrigin: string;
}

/**
 * The proxies of a resource, from what the telemetry source scrapes (control-plane registry,
 * static targets, Kubernetes pods): a proxy's scrape target is its admin listener. Target labels
 * follow Linkerd's naming (namespace, deployment, pod, service).
 */
export async function findTapProxies(source: TelemetrySource, q: TapQuery): Promise<TapProxy[]> {
  const { targets } = await source.targets();
  const byOrigin = new Map<string, TapProxy>();
  for (const t of targets) {
    const l = t.labels;
    const ns = l.namespace;
    if (ns === undefined) continue;
    const workload = l.deployment ?? l.workload ?? '';
    const selected =
      q.kind === 'namespace'
        ? ns === (q.name ?? q.namespace)
        : ns === q.namespace &&
          (q.kind === 'workload'
            ? workload === q.name
            : q.kind === 'pod'
              ? l.pod === q.name
              : l.service === q.name);
    if (!selected) continue;
    let origin: string;
    try {
      origin = new URL(t.url).origin;
    } catch {
      continue;
    }
    if (!byOrigin.has(origin)) {
      byOrigin.set(origin, { pod: l.pod ?? origin, namespace: ns, workload, adminOrigin: origin });
    }
  }
  return [...byOrigin.values()].sort((a, b) => a.pod.localeCompare(b.pod));
}
