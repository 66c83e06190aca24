import type { AttributeValue, Attributes, Span, SpanKind, SpanStatus } from '@meshlens/contract';
import * as z from 'zod';
import { effectiveStatus, padTraceId } from './spans';

/* Jaeger query service v1 JSON (the Jaeger UI's format): µs timestamps, typed tags, processes. */

const tagSchema = z.object({
  key: z.string(),
  type: z.string().optional(),
  value: z.union([z.string(), z.number(), z.boolean()]).nullable().optional(),
});
const jaegerSpanSchema = z.object({
  traceID: z.string(),
  spanID: z.string(),
  operationName: z.string().default(''),
  references: z
    .array(z.object({ refType: z.string(), traceID: z.string(), spanID: z.string() }))
    .nullable()
    .optional(),
  startTime: z.number(),
  duration: z.number().nonnegative(),
  tags: z.array(tagSchema).nullable().optional(),
  logs: z
    .array(z.object({ timestamp: z.number(), fields: z.array(tagSchema).nullable().optional() }))
    .nullable()
    .optional(),
  processID: z.string().optional(),
});
export const jaegerTraceSchema = z.object({
  traceID: z.string(),
  spans: z.array(jaegerSpanSchema),
  processes: z
    .record(
      z.string(),
      z.object({ serviceName: z.string(), tags: z.array(tagSchema).nullable().optional() }),
    )
    .default({}),
});
export type JaegerTrace = z.infer<typeof jaegerTraceSchema>;

/** `{"data": [...], "errors": [...]}`, the envelope of every v1 answer */
export const jaegerEnvelopeSchema = z.object({
  data: z.unknown(),
  errors: z
    .array(z.object({ code: z.number().optional(), msg: z.string().optional() }))
    .nullable()
    .optional(),
});

const KINDS = new Set<SpanKind>(['internal', 'server', 'client', 'producer', 'consumer']);
/** tags Jaeger derives from OTel fields; they come back as the span's kind and status */
const DERIVED = new Set(['span.kind', 'otel.status_code', 'otel.status_description']);

function tagValue(t: z.infer<typeof tagSchema>): AttributeValue {
  const v = t.value ?? '';
  // int64 tags beyond 2^53 arrive as strings: keep them exact
  if (t.type === 'int64' && typeof v === 'string') {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  return v;
}

function tagsToAttributes(
  tags: readonly z.infer<typeof tagSchema>[] | null | undefined,
): Attributes {
  const out: Attributes = {};
  for (const t of tags ?? []) out[t.key] = tagValue(t);
  return out;
}

function statusOf(all: Attributes): SpanStatus {
  const code = all['otel.status_code'];
  const description = all['otel.status_description'];
  const message =
    typeof description === 'string' && description !== '' ? { message: description } : {};
  if (code === 'ERROR') return { code: 'error', ...message };
  if (code === 'OK') return { code: 'ok' };
  return { code: 'unset' };
}

/** Maps one Jaeger v1 trace; spans keep their order of start. */
export function mapJaegerTrace(t: JaegerTrace): { traceId: string; spans: Span[] } | undefined {
  const traceId = padTraceId(t.traceID);
  if (!traceId) return undefined;
  const spans: Span[] = [];
  for (const s of t.spans) {
    const spanId = s.spanID.toLowerCase().padStart(16, '0');
    const sameTrace = (s.references ?? []).filter((r) => padTraceId(r.traceID) === traceId);
    // the parent is the CHILD_OF reference in this trace, else the first FOLLOWS_FROM
    const parentRef = sameTrace.find((r) => r.refType === 'CHILD_OF') ?? sameTrace[0];
    const process = s.processID !== undefined ? t.processes[s.processID] : undefined;
    const all = tagsToAttributes(s.tags);
    const attributes: Attributes = {};
    for (const [k, v] of Object.entries(all)) if (!DERIVED.has(k)) attributes[k] = v;
    const kindTag = all['span.kind'];
    const kind: SpanKind =
      typeof kindTag === 'string' && KINDS.has(kindTag as SpanKind)
        ? (kindTag as SpanKind)
        : 'unspecified';
    const service = process?.serviceName || 'unknown';
    spans.push({
      traceId,
      spanId,
      ...(parentRef ? { parentSpanId: parentRef.spanID.toLowerCase().padStart(16, '0') } : {}),
      name: s.operationName,
      service,
      kind,
      startMs: s.startTime / 1000,
      durationMs: s.duration / 1000,
      status: effectiveStatus(statusOf(all), attributes),
      attributes,
      events: (s.logs ?? []).map((l) => {
        const fields = tagsToAttributes(l.fields);
        const event = fields.event;
        delete fields.event;
        return {
          name: typeof event === 'string' ? event : 'log',
          timeMs: l.timestamp / 1000,
          attributes: fields,
        };
      }),
      resource: { 'service.name': service, ...tagsToAttributes(process?.tags) },
    });
  }
  spans.sort((a, b) => a.startMs - b.startMs);
  return { traceId, spans };
}
