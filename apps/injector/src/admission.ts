import { injectPodTemplate, jsonDiff, type SidecarOptions } from '@meshlens/inject';
import * as z from 'zod';

/** The part of an `admission.k8s.io/v1` AdmissionReview the webhook reads. */
const reviewSchema = z.object({
  apiVersion: z.literal('admission.k8s.io/v1', {
    error: 'apiVersion must be admission.k8s.io/v1 (set admissionReviewVersions: ["v1"])',
  }),
  kind: z.literal('AdmissionReview'),
  request: z.object({
    uid: z.string().min(1),
    kind: z.object({ group: z.string(), version: z.string(), kind: z.string() }),
    namespace: z.string().optional(),
    operation: z.string(),
    object: z.record(z.string(), z.unknown()),
  }),
});

export interface AdmissionOptions {
  sidecar: Partial<SidecarOptions>;
  proxyVersion: string;
}

export type AdmissionResult =
  | { status: 200; body: Record<string, unknown>; outcome: string; reason?: string | undefined }
  | { status: 400; error: string };

/**
 * Answers one AdmissionReview. `namespaceEnabled` comes from the webhook the API server called
 * (its namespaceSelector matched meshlens.io/inject=enabled). Pods are always allowed: the
 * webhook only adds a JSONPatch, and a pod it will not inject gets a warning saying why.
 */
export function review(
  body: unknown,
  namespaceEnabled: boolean,
  o: AdmissionOptions,
): AdmissionResult {
  const parsed = reviewSchema.safeParse(body);
  if (!parsed.success) {
    return {
      status: 400,
      error: parsed.error.issues
        .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
        .join('; '),
    };
  }
  const req = parsed.data.request;
  if (req.kind.kind !== 'Pod' || req.kind.group !== '') {
    return { status: 400, error: `request.kind: only Pods are injected, got ${req.kind.kind}` };
  }
  const result = injectPodTemplate(req.object, {
    options: o.sidecar,
    proxyVersion: o.proxyVersion,
    namespaceEnabled,
  });
  const response: Record<string, unknown> = { uid: req.uid, allowed: true };
  if (result.template !== undefined) {
    const patch = jsonDiff(req.object, result.template);
    response['patchType'] = 'JSONPatch';
    response['patch'] = Buffer.from(JSON.stringify(patch)).toString('base64');
  } else if (result.outcome === 'skipped' && result.reason !== undefined) {
    response['warnings'] = [`meshlens: not injected: ${result.reason}`];
  }
  return {
    status: 200,
    body: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response },
    outcome: result.outcome,
    reason: result.reason,
  };
}
