import * as z from 'zod';

/*
 * Trace ingest bodies as producers send them. Lenient on purpose (loose objects, optional fields):
 * the BFF converts what it understands and counts the rest as rejected spans.
 */

/** OTLP AnyValue; nested arrays/kvlists are kept as unknown and stringified by the converter. */
export const otlpAnyValueSchema = z.looseObject({
  stringValue: z.string().optional(),
  boolValue: z.boolean().optional(),
  intValue: z.union([z.string(), z.number()]).optional(),
  doubleValue: z.union([z.number(), z.string()]).optional(),
  bytesValue: z.string().optional(),
  arrayValue: z.unknown().optional(),
  kvlistValue: z.unknown().optional(),
});
export type OtlpAnyValue = z.infer<typeof otlpAnyValueSchema>;

export const otlpKeyValueSchema = z.looseObject({
  key: z.string(),
  value: otlpAnyValueSchema.optional(),
});
export type OtlpKeyValue = z.infer<typeof otlpKeyValueSchema>;

/** Nanosecond timestamps: JSON producers send decimal strings, numbers or protobufjs Long bits. */
export const otlpNanosSchema = z.union([
  z.string(),
  z.number(),
  z.looseObject({ low: z.number(), high: z.number() }),
]);
export type OtlpNanos = z.infer<typeof otlpNanosSchema>;

export const otlpSpanSchema = z.looseObject({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  name: z.string().optional(),
  kind: z.union([z.number(), z.string()]).optional(),
  startTimeUnixNano: otlpNanosSchema,
  endTimeUnixNano: otlpNanosSchema,
  attributes: z.array(otlpKeyValueSchema).optional(),
  events: z
    .array(
      z.looseObject({
        timeUnixNano: otlpNanosSchema.optional(),
        name: z.string().optional(),
        attributes: z.array(otlpKeyValueSchema).optional(),
      }),
    )
    .optional(),
  status: z
    .looseObject({
      code: z.union([z.number(), z.string()]).optional(),
      message: z.string().optional(),
    })
    .optional(),
});
export type OtlpSpan = z.infer<typeof otlpSpanSchema>;

const otlpScopeSpansSchema = z.looseObject({ spans: z.array(z.unknown()).optional() });

export const otlpTracesRequestSchema = z.looseObject({
  resourceSpans: z.array(
    z.looseObject({
      resource: z.looseObject({ attributes: z.array(otlpKeyValueSchema).optional() }).optional(),
      scopeSpans: z.array(otlpScopeSpansSchema).optional(),
      /** pre-1.0 name of scopeSpans, still sent by old SDKs */
      instrumentationLibrarySpans: z.array(otlpScopeSpansSchema).optional(),
    }),
  ),
});
export type OtlpTracesRequest = z.infer<typeof otlpTracesRequestSchema>;

const zipkinEndpointSchema = z.looseObject({ serviceName: z.string().optional() });

export const zipkinSpanSchema = z.looseObject({
  traceId: z.string(),
  id: z.string(),
  parentId: z.string().optional(),
  name: z.string().optional(),
  kind: z.enum(['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER']).optional(),
  /** epoch microseconds */
  timestamp: z.number().optional(),
  /** microseconds */
  duration: z.number().optional(),
  localEndpoint: zipkinEndpointSchema.optional(),
  remoteEndpoint: zipkinEndpointSchema.optional(),
  tags: z.record(z.string(), z.string()).optional(),
  annotations: z.array(z.looseObject({ timestamp: z.number(), value: z.string() })).optional(),
  shared: z.boolean().optional(),
});
export type ZipkinSpan = z.infer<typeof zipkinSpanSchema>;

export const zipkinSpansRequestSchema = z.array(z.unknown());
