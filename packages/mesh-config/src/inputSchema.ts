import * as z from 'zod';
import { parseDuration } from './duration';

/** Schemas of the YAML documents users write (Gateway-API shaped). Unknown fields are errors, to catch typos. */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const name = z
  .string()
  .min(1)
  .max(63)
  .regex(DNS_LABEL, 'must be a DNS label (lowercase letters, digits, "-")');

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is not a duration like "500ms", "2s", "1m30s"`,
    });
    return z.NEVER;
  }
  return ms;
});

const regex = z.string().superRefine((text, ctx) => {
  try {
    new RegExp(text);
  } catch (err) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid regular expression: ${(err as Error).message}`,
    });
  }
});

const percentage = z.number().min(0).max(100);
const httpStatus = z.number().int().min(200).max(599);

export const metadataSchema = z.strictObject({
  name,
  namespace: name.default('default'),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const pathMatch = z
  .strictObject({
    type: z.enum(['Exact', 'PathPrefix', 'RegularExpression']).default('PathPrefix'),
    value: z.string().default('/'),
  })
  .superRefine((p, ctx) => {
    if (p.type === 'RegularExpression') {
      try {
        new RegExp(p.value);
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          path: ['value'],
          message: `invalid regular expression: ${(err as Error).message}`,
        });
      }
    } else if (!p.value.startsWith('/')) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'must start with "/"' });
    }
  });

const headerMatch = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('Exact'), name: z.string().min(1), value: z.string() }),
  z.strictObject({ type: z.literal('RegularExpression'), name: z.string().min(1), value: regex }),
]);

const method = z.enum([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

const routeMatch = z.strictObject({
  path: pathMatch.optional(),
  headers: z
    .array(
      z.preprocess(
        (v) => (isObject(v) && !('type' in v) ? { ...v, type: 'Exact' } : v),
        headerMatch,
      ),
    )
    .optional(),
  method: method.optional(),
});

const backendRef = z.strictObject({
  group: z.literal('').optional(),
  kind: z.literal('Service').optional(),
  name,
  namespace: name.optional(),
  port: z.number().int().min(1).max(65535).optional(),
  weight: z.number().int().min(0).max(1_000_000).default(1),
  /** meshlens extension: only endpoints of this version (a canary subset). */
  version: z.string().min(1).optional(),
  /** meshlens extension: only endpoints of this workload. */
  workload: z.string().min(1).optional(),
});

const headerValue = z.strictObject({ name: z.string().min(1), value: z.string() });
const headerModifier = z.strictObject({
  set: z.array(headerValue).optional(),
  add: z.array(headerValue).optional(),
  remove: z.array(z.string().min(1)).optional(),
});
const filter = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('RequestHeaderModifier'),
    requestHeaderModifier: headerModifier,
  }),
]);

const rule = z.strictObject({
  name: name.optional(),
  matches: z.array(routeMatch).optional(),
  backendRefs: z.array(backendRef).optional(),
  timeouts: z
    .strictObject({ request: duration.optional(), backendRequest: duration.optional() })
    .optional(),
  retry: z
    .strictObject({
      attempts: z.number().int().min(0).max(10).default(1),
      codes: z.array(httpStatus).optional(),
      backoff: duration.optional(),
    })
    .optional(),
  filters: z.array(filter).max(16).optional(),
});

const parentRef = z.strictObject({
  group: z.literal('').optional(),
  kind: z.literal('Service').optional(),
  name,
  namespace: name.optional(),
  port: z.number().int().min(1).max(65535).optional(),
});

export const httpRouteDocSchema = z.strictObject({
  apiVersion: z.enum(['meshlens.io/v1alpha1', 'gateway.networking.k8s.io/v1']),
  kind: z.literal('HTTPRoute'),
  metadata: metadataSchema,
  spec: z.strictObject({
    parentRefs: z.array(parentRef).min(1),
    hostnames: z.array(z.string()).optional(),
    rules: z.array(rule).min(1).max(64),
  }),
});

export const faultPolicyDocSchema = z.strictObject({
  apiVersion: z.literal('meshlens.io/v1alpha1'),
  kind: z.literal('FaultPolicy'),
  metadata: metadataSchema,
  spec: z
    .strictObject({
      targetRef: z.strictObject({
        group: z.string().optional(),
        kind: z.literal('HTTPRoute'),
        name,
        sectionName: name.optional(),
      }),
      delay: z.strictObject({ fixedDelay: duration, percentage }).optional(),
      abort: z.strictObject({ httpStatus, percentage }).optional(),
    })
    .refine((s) => s.delay !== undefined || s.abort !== undefined, 'needs "delay" or "abort"'),
});

const serviceAccountRef = z
  .string()
  .regex(/^([a-z0-9-]+\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be "name" or "namespace/name"');

const peerMatch = z
  .strictObject({
    identities: z
      .array(z.string().regex(/^(\*|spiffe:\/\/[^/\s]+\/\S+)$/, 'must be "*" or a spiffe:// id'))
      .optional(),
    namespaces: z.array(z.union([name, z.literal('*')])).optional(),
    serviceAccounts: z.array(serviceAccountRef).optional(),
  })
  .refine(
    (p) =>
      (p.identities?.length ?? 0) + (p.namespaces?.length ?? 0) + (p.serviceAccounts?.length ?? 0) >
      0,
    'needs at least one of identities, namespaces, serviceAccounts',
  );

export const authorizationPolicyDocSchema = z.strictObject({
  apiVersion: z.literal('meshlens.io/v1alpha1'),
  kind: z.literal('AuthorizationPolicy'),
  metadata: metadataSchema,
  spec: z.strictObject({
    targetRef: z.strictObject({
      group: z.string().optional(),
      kind: z.enum(['Service', 'HTTPRoute']),
      name,
    }),
    action: z.enum(['ALLOW', 'DENY']).default('ALLOW'),
    from: z.array(peerMatch).min(1),
  }),
});

export const meshPolicyDocSchema = z.strictObject({
  apiVersion: z.literal('meshlens.io/v1alpha1'),
  kind: z.literal('MeshPolicy'),
  metadata: metadataSchema,
  spec: z.strictObject({ defaultAuthorization: z.enum(['allow', 'deny']) }),
});

export const DOC_SCHEMAS = {
  HTTPRoute: httpRouteDocSchema,
  FaultPolicy: faultPolicyDocSchema,
  AuthorizationPolicy: authorizationPolicyDocSchema,
  MeshPolicy: meshPolicyDocSchema,
} as const;

export type DocKind = keyof typeof DOC_SCHEMAS;
export type HttpRouteDoc = z.infer<typeof httpRouteDocSchema>;
export type FaultPolicyDoc = z.infer<typeof faultPolicyDocSchema>;
export type AuthorizationPolicyDoc = z.infer<typeof authorizationPolicyDocSchema>;
export type MeshPolicyDoc = z.infer<typeof meshPolicyDocSchema>;

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
