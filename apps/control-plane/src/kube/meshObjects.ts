import type { KubernetesObject } from '@kubernetes/client-node';

/** The custom resources of meshlens and the Gateway API resource it reads. */
export const MESH_RESOURCES = [
  { kind: 'HTTPRoute', group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' },
  {
    kind: 'AuthorizationPolicy',
    group: 'meshlens.io',
    version: 'v1alpha1',
    plural: 'authorizationpolicies',
  },
  { kind: 'FaultPolicy', group: 'meshlens.io', version: 'v1alpha1', plural: 'faultpolicies' },
  { kind: 'MeshPolicy', group: 'meshlens.io', version: 'v1alpha1', plural: 'meshpolicies' },
] as const;
export type MeshResource = (typeof MESH_RESOURCES)[number];

export interface MeshObject extends KubernetesObject {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

interface ParentRef {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  port?: number;
  sectionName?: string;
}

/** GAMMA: a route is a mesh route when a parent is a Service (core group). */
export function isServiceParent(p: ParentRef): boolean {
  return (p.group === '' || p.group === undefined || p.group === 'core') && p.kind === 'Service';
}

/**
 * The document our validator reads: what the user wrote, without what the API server adds
 * (uid, resourceVersion, managedFields, status, annotations such as kubectl's
 * last-applied-configuration). HTTPRoute parents other than Services (Gateways) are another
 * controller's business and are dropped; a route with no Service parent is not a mesh route.
 */
export function toConfigDocument(
  res: MeshResource,
  obj: MeshObject,
): Record<string, unknown> | undefined {
  const metadata = {
    name: obj.metadata?.name,
    namespace: obj.metadata?.namespace ?? 'default',
    ...(obj.metadata?.labels ? { labels: obj.metadata.labels } : {}),
  };
  const spec = { ...(obj.spec ?? {}) };
  if (res.kind === 'HTTPRoute') {
    const parents = Array.isArray(spec['parentRefs']) ? (spec['parentRefs'] as ParentRef[]) : [];
    const mesh = parents.filter(isServiceParent);
    if (mesh.length === 0) return undefined;
    spec['parentRefs'] = mesh.map((p) => {
      // sectionName (a Service port name) is not supported; leave it so validation names it.
      const { group: _g, ...rest } = p;
      return { group: '', ...rest };
    });
  }
  return { apiVersion: `${res.group}/${res.version}`, kind: res.kind, metadata, spec };
}

/** The Service parents of a route, as they are written in its status. */
export function serviceParents(obj: MeshObject): ParentRef[] {
  const parents = Array.isArray(obj.spec?.['parentRefs'])
    ? (obj.spec['parentRefs'] as ParentRef[])
    : [];
  return parents.filter(isServiceParent);
}
