import type { Endpoint } from '@meshlens/cp-client';
import type { ScrapeTarget, TargetDiscovery } from '../scrape/targets';

/** The part of @meshlens/cp-client's ControlPlaneClient this needs. */
export interface EndpointLister {
  listEndpoints(): Promise<Endpoint[]>;
}

function hostPort(address: string, port: number): string {
  return address.includes(':') && !address.startsWith('[')
    ? `[${address}]:${port}`
    : `${address}:${port}`;
}

/** Target labels in Linkerd's naming, so one query path serves both meshes. */
export function endpointTarget(ep: Endpoint): ScrapeTarget {
  const labels: Record<string, string> = {
    namespace: ep.namespace,
    deployment: ep.workload,
    pod: ep.pod,
    service: ep.service,
  };
  if (ep.version) labels.version = ep.version;
  return {
    url: `http://${hostPort(ep.adminAddress, ep.adminPort)}/metrics`,
    labels,
    discovery: 'control-plane',
  };
}

/** Every proxy registered with the control plane, scraped on its admin port. */
export function createControlPlaneDiscovery(client: EndpointLister): TargetDiscovery {
  return {
    kind: 'control-plane',
    async targets() {
      const byUrl = new Map<string, ScrapeTarget>();
      // one proxy may register several service ports: scrape its admin endpoint once
      for (const ep of await client.listEndpoints()) {
        const t = endpointTarget(ep);
        if (!byUrl.has(t.url)) byUrl.set(t.url, t);
      }
      return [...byUrl.values()];
    },
  };
}
