/**
 * What a proxy needs to apply a compiled mesh config: its schema (as the control plane sends it),
 * route matching, authorization and SPIFFE ids; not the parser of the user's YAML (`./load`,
 * `./parse`), its input schema or the YAML library. Processes that only apply configs import this
 * entry point and never load the rest (issue 11: the sidecar's memory). `./spiffe` alone is
 * narrower still.
 */
export {
  meshConfigSchema,
  EMPTY_MESH_CONFIG,
  type AuthorizationPolicy,
  type BackendRef,
  type Fault,
  type HeaderMatch,
  type HeaderModifier,
  type HttpRoute,
  type MeshConfig,
  type PathMatch,
  type PeerMatch,
  type RouteMatch,
  type RouteRule,
} from './types';
export {
  matchRoute,
  pickBackend,
  decideFault,
  applyRequestHeaderModifier,
  type FaultDecision,
  type RequestHeaders,
  type RouteChoice,
  type RouteRequest,
} from './match';
export { authorize, type AuthzDecision, type AuthzTarget, type Peer } from './authorize';
export { parseSpiffeId, formatSpiffeId, type SpiffeId } from './spiffe';
