import { parseSpiffeId } from './spiffe';
import type { AuthorizationPolicy, MeshConfig, PeerMatch } from './types';

export interface AuthzTarget {
  service: string;
  namespace: string;
  /** `namespace/name` of the matched HTTPRoute (RouteChoice.routeKey), if any. */
  route?: string;
}

/** The verified caller; null for a plaintext (unauthenticated) connection. */
export interface Peer {
  identity?: string;
  namespace?: string;
  serviceAccount?: string;
}

export interface AuthzDecision {
  allowed: boolean;
  reason: string;
  /** `namespace/name` of the deciding policy; undefined when the mesh default decided. */
  policy?: string;
}

/**
 * DENY policies (service- and route-level) are checked first. Then ALLOW policies: the
 * route-level ones when the matched route has any (most specific wins), else the service-level
 * ones; the caller must match one of them. With no ALLOW policy at all the mesh default decides.
 */
export function authorize(
  config: MeshConfig,
  target: AuthzTarget,
  peer: Peer | null,
): AuthzDecision {
  const applicable = config.authorizationPolicies.filter(
    (p) =>
      p.target.service === target.service &&
      p.target.namespace === target.namespace &&
      (p.target.route === undefined || p.target.route === target.route),
  );
  const who = describePeer(peer);
  for (const p of applicable) {
    if (p.action === 'DENY' && p.from.some((m) => peerMatches(m, peer))) {
      return {
        allowed: false,
        reason: `${who} denied by AuthorizationPolicy ${ref(p)}`,
        policy: ref(p),
      };
    }
  }
  const allows = applicable.filter((p) => p.action === 'ALLOW');
  const routeAllows = allows.filter((p) => p.target.route !== undefined);
  const effective = routeAllows.length > 0 ? routeAllows : allows;
  if (effective.length === 0) {
    const allowed = config.defaultAuthorization === 'allow';
    return {
      allowed,
      reason: `${who} ${allowed ? 'allowed' : 'denied'} by the mesh default (${config.defaultAuthorization})`,
    };
  }
  const match = effective.find((p) => p.from.some((m) => peerMatches(m, peer)));
  if (match)
    return {
      allowed: true,
      reason: `${who} allowed by AuthorizationPolicy ${ref(match)}`,
      policy: ref(match),
    };
  const names = effective.map(ref).join(', ');
  return {
    allowed: false,
    reason: `${who} is not allowed by AuthorizationPolicy ${names}`,
    policy: effective[0] ? ref(effective[0]) : names,
  };
}

function ref(p: AuthorizationPolicy): string {
  return `${p.namespace}/${p.name}`;
}

function describePeer(peer: Peer | null): string {
  if (!peer) return 'unauthenticated caller';
  return peer.identity ?? `${peer.namespace ?? '?'}/${peer.serviceAccount ?? '?'}`;
}

/** Every list that is set must match (AND); entries of one list are alternatives (OR). */
function peerMatches(m: PeerMatch, peer: Peer | null): boolean {
  if (!peer) return false;
  const parsed = peer.identity === undefined ? undefined : parseSpiffeId(peer.identity);
  const ns = peer.namespace ?? parsed?.namespace;
  const sa = peer.serviceAccount ?? parsed?.serviceAccount;
  if (m.identities.length > 0) {
    const id = peer.identity;
    if (id === undefined || !m.identities.some((x) => x === '*' || x === id)) return false;
  }
  if (
    m.namespaces.length > 0 &&
    (ns === undefined || !m.namespaces.some((x) => x === '*' || x === ns))
  )
    return false;
  if (
    m.serviceAccounts.length > 0 &&
    !m.serviceAccounts.some((x) => x.namespace === ns && x.name === sa)
  )
    return false;
  return true;
}
