export {
  meshConfigSchema,
  EMPTY_MESH_CONFIG,
  type AuthorizationPolicy,
  type BackendRef,
  type ConfigError,
  type Fault,
  type HeaderMatch,
  type HeaderModifier,
  type HttpRoute,
  type MeshConfig,
  type ParseResult,
  type PathMatch,
  type PeerMatch,
  type RouteMatch,
  type RouteRule,
} from './types';
export { parseDuration } from './duration';
export { parseMeshConfig, type SourceDocument } from './parse';
export {
  parseMeshConfigPerObject,
  type ObjectVerdict as ConfigObjectVerdict,
  type PerObjectResult,
} from './perObject';
export {
  loadMeshConfigDir,
  parseMeshConfigText,
  parseYamlDocuments,
  formatConfigError,
} from './load';
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
