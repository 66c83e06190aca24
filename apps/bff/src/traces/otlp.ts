import {
  type Attributes,
  type OtlpAnyValue,
  type OtlpKeyValue,
  type OtlpNanos,
  type Span,
  type SpanKind,
  otlpSpanSchema,
  otlpTracesRequestSchema,
} from '@meshlens/contract';
import { normalizeId } from './ids';

export interface ConvertResult {
  spans: Span[];
  rejected: number;
  /** first reason a span was rejected, for the OTLP partialSuccess message */
  firstError?: string;
}

const OTLP_KINDS: readonly SpanKind[] = [
  'unspecified',
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
];

function spanKind(kind: number | string | undefined): SpanKind {
  if (typeof kind === 'number') return OTLP_KINDS[kind] ?? 'unspecified';
  if (typeof kind === 'string') {
    const k = kind.replace(/^SPAN_KIND_/, '').toLowerCase();
    return (OTLP_KINDS as readonly string[]).includes(k) ? (k as SpanKind) : 'unspecified';
  }
  return 'unspecified';
}

function statusCode(code: number | string | undefined): Span['status']['code'] {
  if (code === 1 || code === 'STATUS_CODE_OK') return 'ok';
  if (code === 2 || code === 'STATUS_CODE_ERROR') return 'error';
  return 'unset';
}

function nanosToBigInt(n: OtlpNanos): bigint | undefined {
  try {
    if (typeof n === 'string') return BigInt(n.trim());
    if (typeof n === 'number') return BigInt(Math.trunc(n));
    return (BigInt(n.high >>> 0) << 32n) | BigInt(n.low >>> 0);
  } catch {
    return undefined;
  }
}

/** Nanoseconds since the epoch -> milliseconds (float), exact to the microsecond. */
export function nanosToMs(n: OtlpNanos): number | undefined {
  const big = nanosToBigInt(n);
  return big === undefined ? undefined : Number(big / 1000n) / 1000;
}

/**
 * Span length in ms from the integer nanoseconds: subtracting two epoch-ms floats loses the
 * microseconds (a 5 µs span came out as 4.88 µs).
 */
function durationMs(start: OtlpNanos, end: OtlpNanos): number | undefined {
  const a = nanosToBigInt(start);
  const b = nanosToBigInt(end);
  if (a === undefined || b === undefined) return undefined;
  return b > a ? Number((b - a) / 1000n) / 1000 : 0;
}

function anyValue(v: OtlpAnyValue | undefined): string | number | boolean | undefined {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue !== undefined) return JSON.stringify(v.arrayValue);
  if (v.kvlistValue !== undefined) return JSON.stringify(v.kvlistValue);
  return undefined;
}

export function attributes(kvs: readonly OtlpKeyValue[] | undefined): Attributes {
  const out: Attributes = {};
  for (const kv of kvs ?? []) {
    const v = anyValue(kv.value);
    if (v !== undefined) out[kv.key] = v;
  }
  return out;
}

function convertSpan(raw: unknown, service: string, resource: Attributes): Span | string {
  const parsed = otlpSpanSchema.safeParse(raw);
  if (!parsed.success) return `invalid span: ${parsed.error.issues[0]?.path.join('.') ?? ''}`;
  const s = parsed.data;
  const traceId = normalizeId(s.traceId, 16);
  const spanId = normalizeId(s.spanId, 8);
  if (!traceId || !spanId) return `invalid trace or span id ${JSON.stringify(s.traceId)}`;
  const start = nanosToMs(s.startTimeUnixNano);
  const duration = durationMs(s.startTimeUnixNano, s.endTimeUnixNano);
  if (start === undefined || duration === undefined) return 'invalid start or end time';
  const parent = s.parentSpanId ? normalizeId(s.parentSpanId, 8) : undefined;
  const span: Span = {
    traceId,
    spanId,
    name: s.name ?? '',
    service,
    kind: spanKind(s.kind),
    startMs: start,
    durationMs: duration,
    status: { code: statusCode(s.status?.code) },
    attributes: attributes(s.attributes),
    events: (s.events ?? []).map((e) => ({
      name: e.name ?? '',
      timeMs: (e.timeUnixNano !== undefined ? nanosToMs(e.timeUnixNano) : undefined) ?? start,
      attributes: attributes(e.attributes),
    })),
  };
  if (parent) span.parentSpanId = parent;
  if (Object.keys(resource).length > 0) span.resource = resource;
  if (s.status?.message) span.status.message = s.status.message;
  return span;
}

/** OTLP/HTTP JSON ExportTraceServiceRequest -> spans. Throws only when the envelope is wrong. */
export function convertOtlp(body: unknown): ConvertResult | { error: string } {
  const req = otlpTracesRequestSchema.safeParse(body);
  if (!req.success)
    return { error: 'body is not an OTLP ExportTraceServiceRequest (resourceSpans missing)' };
  const result: ConvertResult = { spans: [], rejected: 0 };
  for (const rs of req.data.resourceSpans) {
    const resource = attributes(rs.resource?.attributes);
    const service = resource['service.name'];
    const serviceName = typeof service === 'string' && service !== '' ? service : 'unknown';
    for (const scope of [...(rs.scopeSpans ?? []), ...(rs.instrumentationLibrarySpans ?? [])]) {
      for (const raw of scope.spans ?? []) {
        const span = convertSpan(raw, serviceName, resource);
        if (typeof span === 'string') {
          result.rejected += 1;
          result.firstError ??= span;
        } else result.spans.push(span);
      }
    }
  }
  return result;
}
