import * as z from 'zod';
import { generatedAtSchema } from './common';

/** The control plane's own status (cp-client status()), dates as ISO strings. */
/** A configuration object the control plane read (Kubernetes mode validates each on its own). */
export const configObjectSchema = z.object({
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  source: z.enum(['kubernetes', 'file']),
  accepted: z.boolean(),
  /** HTTPRoutes: every backend Service exists */
  resolvedRefs: z.boolean().optional(),
  /** `field: message` per problem */
  reasons: z.array(z.string()),
});
export type ConfigObject = z.infer<typeof configObjectSchema>;

export const controlPlaneStatusSchema = z.object({
  version: z.string(),
  trustDomain: z.string().optional(),
  configVersion: z.string(),
  /** the last rejected config, summarized; null when the current config loaded fine */
  lastConfigError: z.string().nullable(),
  endpoints: z.number().int().nonnegative(),
  services: z.number().int().nonnegative().optional(),
  watchers: z.number().int().nonnegative(),
  certsIssued: z.number().int().nonnegative(),
  earliestCertExpiry: z.string().nullable(),
  caExpiry: z.string().nullable(),
  /** Kubernetes mode: every HTTPRoute and policy object with its verdict */
  configObjects: z.array(configObjectSchema).optional(),
  /** Kubernetes mode: the replica that answered holds the leader Lease */
  leader: z.boolean().optional(),
});
export type ControlPlaneStatus = z.infer<typeof controlPlaneStatusSchema>;

/** A registered proxy (cp-client Endpoint). */
export const proxyInfoSchema = z.object({
  namespace: z.string(),
  service: z.string(),
  workload: z.string(),
  pod: z.string(),
  version: z.string().optional(),
  serviceAccount: z.string(),
  address: z.string(),
  port: z.number().int(),
  adminAddress: z.string(),
  adminPort: z.number().int(),
  proxyVersion: z.string(),
  registeredAt: z.string(),
});
export type ProxyInfo = z.infer<typeof proxyInfoSchema>;

export const controlPlaneResponseSchema = z.object({
  generatedAt: generatedAtSchema,
  /** false when the BFF runs without --control-plane-url */
  configured: z.boolean(),
  reachable: z.boolean(),
  url: z.string().nullable(),
  /** why the control plane could not be asked (unreachable, bad answer), null when fine */
  error: z.string().nullable(),
  status: controlPlaneStatusSchema.nullable(),
  proxies: z.array(proxyInfoSchema),
});
export type ControlPlaneResponse = z.infer<typeof controlPlaneResponseSchema>;
