import { configErrorSchema } from './configErrorSchema';
import { meshConfigSchema } from '@meshlens/mesh-config/runtime';
import * as z from 'zod';

/** Wire schemas of the control plane's JSON API (shared by the server and this client). */

const dnsName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lowercase DNS name');

export const endpointRegistrationSchema = z.strictObject({
  namespace: dnsName,
  service: dnsName,
  workload: dnsName,
  pod: dnsName,
  version: z.string().min(1).max(63).optional(),
  serviceAccount: dnsName,
  address: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  adminAddress: z.string().min(1).max(255),
  adminPort: z.number().int().min(1).max(65535),
  proxyVersion: z.string().min(1).max(64),
});
export type EndpointRegistration = z.infer<typeof endpointRegistrationSchema>;

/**
 * An endpoint as watchers receive it. Endpoints from the Kubernetes API may run no proxy: they
 * have no service account (no mesh identity, so callers speak plaintext to them), and may carry
 * the zone of their EndpointSlice.
 */
export const endpointSchema = endpointRegistrationSchema.extend({
  serviceAccount: dnsName.optional(),
  zone: z.string().max(253).optional(),
  registeredAt: z.string(),
});
export type Endpoint = z.infer<typeof endpointSchema>;

export const registerResponseSchema = z.object({
  leaseTtlSeconds: z.number().positive(),
  /**
   * The control plane holds a lease for as long as the same registration, posted with
   * `accept: text/event-stream`, keeps its response open (no renewals). Absent from control
   * planes before lease streams: the client then renews every TTL/3.
   */
  leaseStream: z.boolean().optional(),
});
/** The first event of a lease stream. */
export const leaseEventSchema = z.object({ leaseTtlSeconds: z.number().positive() });
export const deregisterRequestSchema = endpointRegistrationSchema.pick({
  namespace: true,
  service: true,
  address: true,
  port: true,
});
export type DeregisterRequest = z.infer<typeof deregisterRequestSchema>;

export const endpointListSchema = z.object({ endpoints: z.array(endpointSchema) });

/** SSE `event: endpoints` payload. */
export const endpointsEventSchema = z.object({
  service: z.string(),
  revision: z.number().int(),
  endpoints: z.array(endpointSchema),
  /**
   * The service's own addresses (`ip:port`, e.g. a Kubernetes ClusterIP and port): a proxy that
   * captures traffic maps the address an app dialled to this service. Optional: control planes
   * that know no service addresses leave it out.
   */
  addresses: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/)).optional(),
});
export type EndpointsEvent = z.infer<typeof endpointsEventSchema>;

/** SSE `event: config` payload, also the body of GET /api/v1/config. */
export const configEventSchema = z.object({ version: z.string(), config: meshConfigSchema });
export type ConfigEvent = z.infer<typeof configEventSchema>;

export const certificateRequestSchema = z.strictObject({ csr: z.string().min(1).max(16_384) });
export const certificateResponseSchema = z.object({
  certificatePem: z.string(),
  caPem: z.string(),
  notAfter: z.string(),
});

export const lastConfigErrorSchema = z.object({
  at: z.string(),
  errors: z.array(configErrorSchema),
});

/** One configuration object and whether it is in force (Kubernetes mode validates per object). */
export const configObjectSchema = z.object({
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  source: z.enum(['kubernetes', 'file']),
  accepted: z.boolean(),
  /** HTTPRoutes: every backend Service exists. */
  resolvedRefs: z.boolean().optional(),
  /** `field: message` per problem; empty when accepted with every reference resolved. */
  reasons: z.array(z.string()),
});
export type ConfigObjectStatus = z.infer<typeof configObjectSchema>;

export const controlPlaneStatusSchema = z.object({
  version: z.string(),
  trustDomain: z.string(),
  configVersion: z.string(),
  configLoadedAt: z.string(),
  lastConfigError: lastConfigErrorSchema.optional(),
  configObjects: z.array(configObjectSchema).optional(),
  /** Kubernetes mode: this replica holds the leader Lease (it writes status). */
  leader: z.boolean().optional(),
  endpoints: z.number().int(),
  services: z.number().int(),
  /** Open watch streams (endpoints and config). */
  watchers: z.number().int(),
  /** Registrations held by an open lease stream. */
  leaseStreams: z.number().int().optional(),
  certsIssued: z.number().int(),
  earliestCertExpiry: z.string().nullable(),
  caExpiry: z.string(),
});
export type ControlPlaneStatus = z.infer<typeof controlPlaneStatusSchema>;

export const errorResponseSchema = z.object({
  error: z.string(),
  details: z.array(z.unknown()).optional(),
});

/** A Kubernetes-style name: namespaces and service accounts of join tokens. */
const k8sName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase DNS label (a-z, 0-9, "-")');

/** Join tokens (admin API). The secret is only ever in the create response. */
export const joinTokenCreateRequestSchema = z.strictObject({
  namespace: k8sName,
  serviceAccount: k8sName,
  /** Lifetime in seconds; at least a minute, at most a year. */
  ttlSeconds: z
    .number()
    .int()
    .min(60, 'ttlSeconds must be at least 60')
    .max(365 * 24 * 3600, 'ttlSeconds must be at most one year'),
});
export type JoinTokenCreateRequest = z.infer<typeof joinTokenCreateRequestSchema>;

export const joinTokenInfoSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{12}$/),
  namespace: z.string(),
  serviceAccount: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().optional(),
});
export type JoinTokenInfo = z.infer<typeof joinTokenInfoSchema>;

export const joinTokenCreatedSchema = z.object({ token: z.string(), info: joinTokenInfoSchema });
export type JoinTokenCreated = z.infer<typeof joinTokenCreatedSchema>;
export const joinTokenListSchema = z.object({ tokens: z.array(joinTokenInfoSchema) });
