import type { ScrapeTarget, TargetDiscovery } from '../scrape/targets';

export interface StaticTarget {
  url: string;
  /** target labels, as Prometheus static_configs attach them (namespace, deployment, pod, ...) */
  labels?: Record<string, string>;
}

export function createStaticDiscovery(list: readonly StaticTarget[]): TargetDiscovery {
  const targets: ScrapeTarget[] = list.map((t) => ({
    url: t.url,
    labels: { ...t.labels },
    discovery: 'static',
  }));
  return { kind: 'static', targets: () => Promise.resolve(targets) };
}
