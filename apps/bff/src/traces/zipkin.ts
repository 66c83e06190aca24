import {
  type Attributes,
  type Span,
  zipkinSpanSchema,
  zipkinSpansRequestSchema,
} from '@meshlens/contract';
import type { ConvertResult } from './otlp';
import { normalizeId } from './ids';

function convertSpan(raw: unknown): Span | string {
  const parsed = zipkinSpanSchema.safeParse(raw);
  if (!parsed.success) return `invalid span: ${parsed.error.issues[0]?.path.join('.') ?? ''}`;
  const z = parsed.data;
  const traceId = normalizeId(z.traceId, 16);
  const spanId = normalizeId(z.id, 8);
  if (!traceId || !spanId) return `invalid trace or span id ${JSON.stringify(z.traceId)}`;
  if (z.timestamp === undefined) return 'span without timestamp';
  const tags: Attributes = { ...z.tags };
  const errorTag = z.tags?.error;
  const span: Span = {
    traceId,
    spanId,
    name: z.name ?? '',
    service: z.localEndpoint?.serviceName || 'unknown',
    kind: z.kind ? (z.kind.toLowerCase() as Span['kind']) : 'unspecified',
    startMs: z.timestamp / 1000,
    durationMs: Math.max(0, (z.duration ?? 0) / 1000),
    status: { code: errorTag !== undefined ? 'error' : 'unset' },
    attributes: tags,
    events: (z.annotations ?? []).map((a) => ({
      name: a.value,
      timeMs: a.timestamp / 1000,
      attributes: {},
    })),
  };
  if (errorTag) span.status.message = errorTag;
  if (z.remoteEndpoint?.serviceName) span.attributes['peer.service'] = z.remoteEndpoint.serviceName;
  const parent = z.parentId ? normalizeId(z.parentId, 8) : undefined;
  if (parent) span.parentSpanId = parent;
  return span;
}

/** Zipkin v2 JSON (an array of spans, timestamps in microseconds) -> spans. */
export function convertZipkin(body: unknown): ConvertResult | { error: string } {
  const list = zipkinSpansRequestSchema.safeParse(body);
  if (!list.success) return { error: 'body is not a Zipkin v2 JSON array of spans' };
  const result: ConvertResult = { spans: [], rejected: 0 };
  for (const raw of list.data) {
    const span = convertSpan(raw);
    if (typeof span === 'string') {
      result.rejected += 1;
      result.firstError ??= span;
    } else result.spans.push(span);
  }
  return result;
}
