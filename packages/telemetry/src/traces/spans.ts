import type { Attributes, Span, SpanStatus, TraceSummary } from '@meshlens/contract';
import type { TraceSearch } from './traceSource';

const HTTP_STATUS_KEYS = ['http.status_code', 'http.response.status_code'];

/**
 * The status a span gets on our wire. Backends keep errors in three ways: the OTel status, the
 * OpenTracing `error=true` tag (Jaeger, Zipkin, Envoy) and the HTTP status of the call (5xx); all
 * three are errors so the trace list agrees with the metrics, which count 5xx as failures.
 */
export function effectiveStatus(status: SpanStatus, attributes: Attributes): SpanStatus {
  if (status.code === 'error') return status;
  const flag = attributes.error;
  if (flag === true || flag === 'true') return { code: 'error', message: 'error=true' };
  for (const key of HTTP_STATUS_KEYS) {
    const code = Number(attributes[key]);
    if (Number.isInteger(code) && code >= 500 && code <= 599)
      return { code: 'error', message: `HTTP ${code}` };
  }
  return status;
}

/** Summary of a whole trace, computed the same way for every source. */
export function summarizeTrace(traceId: string, spans: readonly Span[]): TraceSummary {
  const ids = new Set(spans.map((s) => s.spanId));
  let start = Infinity;
  let errors = 0;
  const services = new Set<string>();
  for (const s of spans) {
    start = Math.min(start, s.startMs);
    if (s.status.code === 'error') errors += 1;
    services.add(s.service);
  }
  // offsets from the start first: adding a small duration to an epoch-ms float loses digits
  let length = 0;
  for (const s of spans) length = Math.max(length, s.startMs - start + s.durationMs);
  // the root is the span without a known parent; the earliest such span if several
  const roots = spans.filter((s) => s.parentSpanId === undefined || !ids.has(s.parentSpanId));
  const pool = roots.length > 0 ? roots : spans;
  const root = pool.reduce<Span | undefined>(
    (a, b) => (a === undefined || b.startMs < a.startMs ? b : a),
    undefined,
  );
  return {
    traceId,
    rootService: root?.service ?? 'unknown',
    rootName: root?.name ?? '',
    startMs: spans.length > 0 ? start : 0,
    durationMs: length,
    spanCount: Math.max(1, spans.length),
    services: [...services].sort(),
    errorCount: errors,
  };
}

/** The filters a backend could not express, applied to its summaries (duration, error). */
export function keepSummary(s: TraceSummary, q: TraceSearch): boolean {
  if (q.minDurationMs !== undefined && s.durationMs < q.minDurationMs) return false;
  if (q.maxDurationMs !== undefined && s.durationMs > q.maxDurationMs) return false;
  if (q.error === true && s.errorCount === 0) return false;
  if (q.error === false && s.errorCount > 0) return false;
  return true;
}

export function newestFirst(a: TraceSummary, b: TraceSummary): number {
  return b.startMs - a.startMs || (a.traceId < b.traceId ? -1 : 1);
}

/** Backends print ids without leading zeros (Tempo) or as 64-bit (Jaeger, Zipkin): pad to 32. */
export function padTraceId(hex: string): string | undefined {
  const h = hex.toLowerCase();
  if (!/^[0-9a-f]{1,32}$/.test(h) || /^0+$/.test(h)) return undefined;
  return h.padStart(32, '0');
}

const HEX = /^[0-9a-fA-F]+$/;

/** OTLP JSON ids: hex (OTLP/JSON spec) or base64 (protobuf JSON mapping, Tempo's v1 API). */
export function otlpId(raw: string, bytes: 8 | 16): string | undefined {
  if (raw === '') return undefined;
  let hex: string | undefined;
  if (HEX.test(raw) && raw.length === bytes * 2) hex = raw.toLowerCase();
  else {
    const buf = Buffer.from(raw, /[-_]/.test(raw) ? 'base64url' : 'base64');
    if (buf.length === bytes) hex = buf.toString('hex');
  }
  if (hex === undefined || /^0+$/.test(hex)) return undefined;
  return hex;
}
