export {
  createControlPlaneClient,
  ControlPlaneError,
  type ControlPlaneClient,
  type ControlPlaneClientOptions,
  type IssuedCertificate,
  type TokenSource,
} from './client';
export { tokenFromFile } from './tokenFile';
export { createTokenAdminClient, type TokenAdminClient } from './tokenAdmin';
export * from './schemas';
export { configErrorSchema } from './configErrorSchema';
export { createBackoff, type BackoffOptions } from './backoff';
export { createSseParser, formatSseEvent, type SseEvent } from './sse';
export { watchStream, type WatchStreamOptions } from './watchStream';
export type { ClientLogger } from './logger';
export { createCsr } from './csr';
export {
  createWorkloadIdentity,
  type IdentityMaterial,
  type WorkloadIdentity,
  type WorkloadIdentityOptions,
} from './identity';
export {
  spiffeIdFromCert,
  verifyPeerIdentity,
  checkSpiffeId,
  spiffeServerIdentityCheck,
  type CertLike,
  type PeerIdentityResult,
} from './peerIdentity';
