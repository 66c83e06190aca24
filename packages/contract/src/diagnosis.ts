import * as z from 'zod';
import { generatedAtSchema } from './common';

/** One metric family the dashboard's PromQL relies on, as found in the metrics source. */
export const familyCheckSchema = z.object({
  /** e.g. response_total, istio_requests_total */
  family: z.string(),
  dialect: z.enum(['linkerd', 'istio']),
  /** what the dashboard reads from it */
  purpose: z.string(),
  /** series with a sample in the last 5 minutes (Prometheus staleness); labels are looked up over the last hour */
  series: z.number().int().nonnegative(),
  /** expected labels that were found / that no series carries */
  labelsFound: z.array(z.string()),
  labelsMissing: z.array(z.string()),
});
export type FamilyCheck = z.infer<typeof familyCheckSchema>;

export const SOURCE_ROLES = ['metrics', 'traces'] as const;

/** One data source of the BFF (metrics or traces): reachability and what it holds. */
export const sourceDiagnosisSchema = z.object({
  role: z.enum(SOURCE_ROLES),
  /** embedded | prometheus | fixture | memory | jaeger | tempo */
  kind: z.string(),
  /** backend URL (external sources), null otherwise */
  url: z.string().nullable(),
  healthy: z.boolean(),
  /** how it failed, naming the backend (`tempo at https://...: 401 Unauthorized`) */
  error: z.string().nullable(),
  /** metrics only: linkerd | istio when known */
  dialect: z.string().nullable(),
  families: z.array(familyCheckSchema),
  /** the PromQL (or HTTP requests) that were run to find out */
  queries: z.array(z.string()),
  /** what to change when something expected is missing */
  hints: z.array(z.string()),
});
export type SourceDiagnosis = z.infer<typeof sourceDiagnosisSchema>;

/** GET /api/v1/diagnosis: why a dashboard may be empty. */
export const diagnosisResponseSchema = z.object({
  generatedAt: generatedAtSchema,
  sources: z.array(sourceDiagnosisSchema),
});
export type DiagnosisResponse = z.infer<typeof diagnosisResponseSchema>;

/** GET /api/v1/traces/services and /api/v1/traces/services/:service/operations */
export const traceNamesResponseSchema = z.object({
  generatedAt: generatedAtSchema,
  names: z.array(z.string()),
});
export type TraceNamesResponse = z.infer<typeof traceNamesResponseSchema>;
