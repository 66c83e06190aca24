/*
 * Kiali's four graph types from one workload topology. The server builds workload and service
 * graphs; app and versioned-app graphs are folded here from the workload graph, whose nodes carry
 * the app and version their metrics name (docs/adr/0018-app-graphs-and-clusters.md). Folding
 * uses the same re-aggregation as collapsed namespaces: rates and counts summed, success from
 * the summed counts, percentiles of several parts shown as a labelled maximum.
 */
import { resourceId, type ResourceRef, type TopologyResponse } from '@meshlens/contract';
import { foldNodes, type FoldGroup, type ViewGraph, type ViewNode } from './aggregate';

export const GRAPH_TYPES = ['workload', 'service', 'app', 'versioned-app'] as const;
export type GraphType = (typeof GRAPH_TYPES)[number];

/** The topology the server is asked for: app graphs are folded from the workload graph. */
export function topologyKindOf(type: GraphType): 'workload' | 'service' {
  return type === 'service' ? 'service' : 'workload';
}

/**
 * An app is drawn as the service of the same name: calls addressed to that service (a client
 * that did not resolve the workload) land on the same node, and its link opens the service.
 */
export function appRef(namespace: string, app: string): ResourceRef {
  return { kind: 'service', namespace, name: app };
}

function sortedVersions(nodes: readonly ViewNode[]): string[] {
  return [...new Set(nodes.flatMap((n) => (n.version === undefined ? [] : [n.version])))].sort();
}

const appKey = (namespace: string, app: string) => `${namespace}\n${app}`;

/** App graph: every workload of an app (all its versions) folds into one node. */
export function foldApps(topo: Pick<TopologyResponse, 'nodes' | 'edges'>): ViewGraph {
  const apps = new Set<string>();
  for (const n of topo.nodes)
    if (n.kind === 'workload' && n.app !== undefined) apps.add(appKey(n.namespace, n.app));
  const groupOf = (n: ViewNode): FoldGroup | undefined => {
    const app =
      n.kind === 'workload'
        ? n.app
        : n.kind === 'service' && apps.has(appKey(n.namespace, n.name))
          ? n.name
          : undefined;
    if (app === undefined) return undefined;
    const ref = appRef(n.namespace, app);
    return { id: resourceId(ref), ref };
  };
  return foldNodes(
    topo,
    groupOf,
    (list) => ({ app: list.find((n) => n.app !== undefined)?.app, versions: sortedVersions(list) }),
    // a call from one version of an app to another stays visible as a loop
    false,
  );
}

/**
 * Versioned-app graph: one node per version of an app (the graph boxes them by app). Workloads
 * that run the same version of the same app (one per cluster, say) fold into one node.
 */
export function foldVersions(topo: Pick<TopologyResponse, 'nodes' | 'edges'>): ViewGraph {
  const key = (n: ViewNode) =>
    n.kind === 'workload' && n.app !== undefined && n.version !== undefined
      ? `${appKey(n.namespace, n.app)}\n${n.version}`
      : undefined;
  const count = new Map<string, number>();
  for (const n of topo.nodes) {
    const k = key(n);
    if (k !== undefined) count.set(k, (count.get(k) ?? 0) + 1);
  }
  const groupOf = (n: ViewNode): FoldGroup | undefined => {
    const k = key(n);
    if (k === undefined || (count.get(k) ?? 0) < 2) return undefined;
    // `@` cannot appear in a Kubernetes name: never the id of a real workload
    const ref: ResourceRef = {
      kind: 'workload',
      namespace: n.namespace,
      name: `${n.app ?? ''}@${n.version ?? ''}`,
    };
    return { id: resourceId(ref), ref };
  };
  return foldNodes(
    topo,
    groupOf,
    (list) => ({ app: list[0]?.app, version: list[0]?.version }),
    false,
  );
}

/** The graph of a type, from the topology the server built for `topologyKindOf(type)`. */
export function foldForGraph<T extends Pick<TopologyResponse, 'nodes' | 'edges'>>(
  topo: T,
  type: GraphType,
): T & ViewGraph {
  if (type === 'app') return { ...topo, ...foldApps(topo) };
  if (type === 'versioned-app') return { ...topo, ...foldVersions(topo) };
  return topo;
}
