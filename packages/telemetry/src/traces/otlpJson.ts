import type { AttributeValue, Attributes, Span, SpanKind } from '@meshlens/contract';
import * as z from 'zod';
import { effectiveStatus, otlpId } from './spans';

/*
 * OTLP trace JSON as backends print it: Tempo (`batches` before 2024, `resourceSpans` after;
 * base64 ids from its protobuf JSON mapping, enum names like SPAN_KIND_SERVER) and Jaeger's api_v3
 * (hex ids, enum numbers). Both field spellings are accepted.
 */

type AnyValue = {
  stringValue?: string | undefined;
  boolValue?: boolean | undefined;
  intValue?: string | number | undefined;
  doubleValue?: number | string | undefined;
  bytesValue?: string | undefined;
  arrayValue?: { values?: AnyValue[] | undefined } | undefined;
  kvlistValue?:
    { values?: { key: string; value?: AnyValue | undefined }[] | undefined } | undefined;
};

const anyValueSchema: z.ZodType<AnyValue> = z.lazy(() =>
  z.object({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: z.union([z.string(), z.number()]).optional(),
    doubleValue: z.union([z.number(), z.string()]).optional(),
    bytesValue: z.string().optional(),
    arrayValue: z.object({ values: z.array(anyValueSchema).optional() }).optional(),
    kvlistValue: z
      .object({
        values: z.array(z.object({ key: z.string(), value: anyValueSchema.optional() })).optional(),
      })
      .optional(),
  }),
);
const keyValuesSchema = z
  .array(z.object({ key: z.string(), value: anyValueSchema.optional() }))
  .optional();
const nanos = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]);
const enumish = z.union([z.number().int(), z.string()]);

const otlpSpanSchema = z.object({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  name: z.string().default(''),
  kind: enumish.optional(),
  startTimeUnixNano: nanos.optional(),
  endTimeUnixNano: nanos.optional(),
  attributes: keyValuesSchema,
  events: z
    .array(
      z.object({
        timeUnixNano: nanos.optional(),
        name: z.string().default(''),
        attributes: keyValuesSchema,
      }),
    )
    .optional(),
  status: z.object({ code: enumish.optional(), message: z.string().optional() }).optional(),
});
const scopeSpansSchema = z.object({ spans: z.array(otlpSpanSchema).optional() });
const resourceSpansSchema = z.object({
  resource: z.object({ attributes: keyValuesSchema }).optional(),
  scopeSpans: z.array(scopeSpansSchema).optional(),
  instrumentationLibrarySpans: z.array(scopeSpansSchema).optional(),
});
export const otlpTraceSchema = z.object({
  resourceSpans: z.array(resourceSpansSchema).optional(),
  batches: z.array(resourceSpansSchema).optional(),
});
export type OtlpTrace = z.infer<typeof otlpTraceSchema>;

function value(v: AnyValue | undefined): AttributeValue {
  if (v === undefined) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) {
    const n = Number(v.intValue);
    // int64 beyond 2^53 stays a string rather than silently losing digits
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue) return JSON.stringify((v.arrayValue.values ?? []).map(value));
  if (v.kvlistValue)
    return JSON.stringify(
      Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, value(kv.value)])),
    );
  return '';
}

export function otlpAttributes(kvs: z.infer<typeof keyValuesSchema>): Attributes {
  const out: Attributes = {};
  for (const kv of kvs ?? []) out[kv.key] = value(kv.value);
  return out;
}

const KINDS: readonly SpanKind[] = [
  'unspecified',
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
];

function kindOf(k: string | number | undefined): SpanKind {
  if (typeof k === 'number') return KINDS[k] ?? 'unspecified';
  const name = (k ?? '').replace(/^SPAN_KIND_/, '').toLowerCase();
  return KINDS.find((x) => x === name) ?? 'unspecified';
}

function statusCode(c: string | number | undefined): 'unset' | 'ok' | 'error' {
  if (c === 2 || c === 'STATUS_CODE_ERROR' || c === 'ERROR') return 'error';
  if (c === 1 || c === 'STATUS_CODE_OK' || c === 'OK') return 'ok';
  return 'unset';
}

/** epoch ns (string, beyond 2^53) -> epoch ms keeping microseconds */
export function nanosToMs(ns: string | number | undefined): number {
  if (ns === undefined) return 0;
  return Number(BigInt(ns) / 1000n) / 1000;
}

export interface OtlpMapResult {
  spans: Span[];
  /** spans left out (bad ids), with the first reason */
  skipped: number;
}

/** Every span of an OTLP trace document, mapped to the contract's Span. */
export function mapOtlpTrace(doc: OtlpTrace): OtlpMapResult {
  const spans: Span[] = [];
  let skipped = 0;
  for (const rs of [...(doc.resourceSpans ?? []), ...(doc.batches ?? [])]) {
    const resource = otlpAttributes(rs.resource?.attributes);
    const serviceName = resource['service.name'];
    const service = typeof serviceName === 'string' && serviceName !== '' ? serviceName : 'unknown';
    for (const ss of [...(rs.scopeSpans ?? []), ...(rs.instrumentationLibrarySpans ?? [])]) {
      for (const s of ss.spans ?? []) {
        const traceId = otlpId(s.traceId, 16);
        const spanId = otlpId(s.spanId, 8);
        if (!traceId || !spanId) {
          skipped += 1;
          continue;
        }
        const parent = s.parentSpanId ? otlpId(s.parentSpanId, 8) : undefined;
        const startMs = nanosToMs(s.startTimeUnixNano);
        // from the nanosecond difference: subtracting two epoch-ms floats would lose digits
        const durationNs =
          s.endTimeUnixNano === undefined || s.startTimeUnixNano === undefined
            ? 0n
            : BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano);
        const attributes = otlpAttributes(s.attributes);
        const status = {
          code: statusCode(s.status?.code),
          ...(s.status?.message ? { message: s.status.message } : {}),
        };
        spans.push({
          traceId,
          spanId,
          ...(parent ? { parentSpanId: parent } : {}),
          name: s.name,
          service,
          kind: kindOf(s.kind),
          startMs,
          durationMs: durationNs > 0n ? Number(durationNs) / 1e6 : 0,
          status: effectiveStatus(status, attributes),
          attributes,
          events: (s.events ?? []).map((e) => ({
            name: e.name,
            timeMs: nanosToMs(e.timeUnixNano),
            attributes: otlpAttributes(e.attributes),
          })),
          resource,
        });
      }
    }
  }
  spans.sort((a, b) => a.startMs - b.startMs);
  return { spans, skipped };
}
