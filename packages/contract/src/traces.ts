import * as z from 'zod';
import { generatedAtSchema, timeRangeSchema } from './common';

/** Trace ids are lowercase hex on the wire (OTLP base64 ids are converted at ingest). */
export const traceIdSchema = z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hex digits');
export const spanIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'must be 16 lowercase hex digits');

export const SPAN_KINDS = [
  'unspecified',
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
] as const;
export const spanKindSchema = z.enum(SPAN_KINDS);
export type SpanKind = z.infer<typeof spanKindSchema>;

export const STATUS_CODES = ['unset', 'ok', 'error'] as const;
export const spanStatusSchema = z.object({
  code: z.enum(STATUS_CODES),
  message: z.string().optional(),
});
export type SpanStatus = z.infer<typeof spanStatusSchema>;

export const attributeValueSchema = z.union([z.string(), z.number(), z.boolean()]);
export type AttributeValue = z.infer<typeof attributeValueSchema>;
export const attributesSchema = z.record(z.string(), attributeValueSchema);
export type Attributes = z.infer<typeof attributesSchema>;

export const spanEventSchema = z.object({
  name: z.string(),
  /** epoch ms (float) */
  timeMs: z.number(),
  attributes: attributesSchema,
});
export type SpanEvent = z.infer<typeof spanEventSchema>;

export const spanSchema = z.object({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  name: z.string(),
  /** service.name of the producing resource ('unknown' when absent) */
  service: z.string(),
  kind: spanKindSchema,
  /** epoch ms, float (sub-millisecond precision kept) */
  startMs: z.number(),
  durationMs: z.number().nonnegative(),
  status: spanStatusSchema,
  attributes: attributesSchema,
  events: z.array(spanEventSchema),
  /** attributes of the producing resource (OTLP resource: service.*, k8s.*, host.*), when sent */
  resource: attributesSchema.optional(),
});
export type Span = z.infer<typeof spanSchema>;

export const traceSummarySchema = z.object({
  traceId: z.string(),
  /** service and name of the root span (the earliest span when the root is missing) */
  rootService: z.string(),
  rootName: z.string(),
  startMs: z.number(),
  durationMs: z.number().nonnegative(),
  spanCount: z.number().int().positive(),
  services: z.array(z.string()),
  errorCount: z.number().int().nonnegative(),
});
export type TraceSummary = z.infer<typeof traceSummarySchema>;

export const traceSchema = z.object({
  traceId: z.string(),
  /** ordered by startMs */
  spans: z.array(spanSchema),
});
export type Trace = z.infer<typeof traceSchema>;

export const tracesResponseSchema = z.object({
  generatedAt: generatedAtSchema,
  window: timeRangeSchema.optional(),
  /** newest first */
  traces: z.array(traceSummarySchema),
});
export type TracesResponse = z.infer<typeof tracesResponseSchema>;

export const traceResponseSchema = z.object({
  generatedAt: generatedAtSchema,
  summary: traceSummarySchema,
  trace: traceSchema,
});
export type TraceResponse = z.infer<typeof traceResponseSchema>;

/** Response of POST /v1/traces (OTLP ExportTraceServiceResponse, JSON). */
export const otlpExportResponseSchema = z.object({
  partialSuccess: z
    .object({ rejectedSpans: z.number().int().nonnegative(), errorMessage: z.string() })
    .optional(),
});
export type OtlpExportResponse = z.infer<typeof otlpExportResponseSchema>;
