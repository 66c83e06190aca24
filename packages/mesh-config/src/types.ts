import * as z from 'zod';

/**
 * The validated, normalized mesh configuration. This is also the wire format the control
 * plane pushes to proxies, so it is plain JSON (durations already in milliseconds, faults
 * attached to their rules) and has its own schema for receivers to re-validate.
 */
export const pathMatchSchema = z.strictObject({
  type: z.enum(['Exact', 'PathPrefix', 'RegularExpression']),
  value: z.string(),
});
export const headerMatchSchema = z.strictObject({
  type: z.enum(['Exact', 'RegularExpression']),
  name: z.string(),
  value: z.string(),
});
export const routeMatchSchema = z.strictObject({
  path: pathMatchSchema,
  headers: z.array(headerMatchSchema),
  method: z.string().optional(),
});
export const backendRefSchema = z.strictObject({
  name: z.string(),
  namespace: z.string(),
  version: z.string().optional(),
  workload: z.string().optional(),
  port: z.number().int().optional(),
  weight: z.number().int().nonnegative(),
});
export const headerValueSchema = z.strictObject({ name: z.string(), value: z.string() });
export const headerModifierSchema = z.strictObject({
  set: z.array(headerValueSchema),
  add: z.array(headerValueSchema),
  remove: z.array(z.string()),
});
export const faultSchema = z.strictObject({
  policy: z.string(),
  delay: z.strictObject({ fixedDelayMs: z.number(), percentage: z.number() }).optional(),
  abort: z.strictObject({ httpStatus: z.number().int(), percentage: z.number() }).optional(),
});
export const routeRuleSchema = z.strictObject({
  name: z.string().optional(),
  matches: z.array(routeMatchSchema),
  backendRefs: z.array(backendRefSchema),
  timeouts: z.strictObject({
    requestMs: z.number().optional(),
    backendRequestMs: z.number().optional(),
  }),
  retry: z
    .strictObject({
      attempts: z.number().int(),
      codes: z.array(z.number().int()),
      backoffMs: z.number(),
    })
    .optional(),
  requestHeaderModifier: headerModifierSchema.optional(),
  fault: faultSchema.optional(),
});
export const httpRouteSchema = z.strictObject({
  namespace: z.string(),
  name: z.string(),
  parentRefs: z.array(z.strictObject({ name: z.string(), namespace: z.string() })),
  rules: z.array(routeRuleSchema),
});
export const peerMatchSchema = z.strictObject({
  identities: z.array(z.string()),
  namespaces: z.array(z.string()),
  serviceAccounts: z.array(z.strictObject({ namespace: z.string(), name: z.string() })),
});
export const authorizationPolicySchema = z.strictObject({
  namespace: z.string(),
  name: z.string(),
  target: z.strictObject({
    service: z.string(),
    namespace: z.string(),
    route: z.string().optional(),
  }),
  action: z.enum(['ALLOW', 'DENY']),
  from: z.array(peerMatchSchema),
});
export const meshConfigSchema = z.strictObject({
  defaultAuthorization: z.enum(['allow', 'deny']),
  routes: z.array(httpRouteSchema),
  authorizationPolicies: z.array(authorizationPolicySchema),
});

export type PathMatch = z.infer<typeof pathMatchSchema>;
export type HeaderMatch = z.infer<typeof headerMatchSchema>;
export type RouteMatch = z.infer<typeof routeMatchSchema>;
export type BackendRef = z.infer<typeof backendRefSchema>;
export type HeaderModifier = z.infer<typeof headerModifierSchema>;
export type Fault = z.infer<typeof faultSchema>;
export type RouteRule = z.infer<typeof routeRuleSchema>;
export type HttpRoute = z.infer<typeof httpRouteSchema>;
export type PeerMatch = z.infer<typeof peerMatchSchema>;
export type AuthorizationPolicy = z.infer<typeof authorizationPolicySchema>;
export type MeshConfig = z.infer<typeof meshConfigSchema>;

export interface ConfigError {
  file: string;
  /** `Kind namespace/name`, or `document N` when the document has no usable identity. */
  object: string;
  /** Dotted field path inside the document, e.g. `spec.rules[0].backendRefs[1].weight`. */
  field: string;
  message: string;
}

export type ParseResult = { ok: true; config: MeshConfig } | { ok: false; errors: ConfigError[] };

export const EMPTY_MESH_CONFIG: MeshConfig = {
  defaultAuthorization: 'allow',
  routes: [],
  authorizationPolicies: [],
};
