import type { Span, TraceSummary, TracesQuery } from '@meshlens/contract';
import { effectiveStatus, summarizeTrace } from '@meshlens/telemetry';

export interface TraceStoreOptions {
  /** total spans kept (default 100,000) */
  maxSpans?: number | undefined;
  /** approximate bytes kept, JSON size of the spans (default 64 MiB) */
  maxBytes?: number | undefined;
  /** spans per trace, further spans of that trace are dropped (default 10,000) */
  maxSpansPerTrace?: number | undefined;
}

interface Entry {
  traceId: string;
  spans: Map<string, Span>;
  bytes: number;
  summary: TraceSummary | undefined;
}

export interface TraceStoreSize {
  traces: number;
  spans: number;
  bytes: number;
}

export interface TraceStore {
  /** adds spans; returns how many were stored (the rest hit the per-trace cap) */
  add(spans: readonly Span[]): number;
  get(traceId: string): { summary: TraceSummary; spans: Span[] } | undefined;
  search(q: TracesQuery): TraceSummary[];
  size(): TraceStoreSize;
  /** spans dropped by eviction since start */
  evicted(): number;
  /** service names of the stored spans, sorted */
  services(): string[];
  /** span names of one service, sorted */
  operations(service: string): string[];
  /** every trace's spans, the longest-quiet trace first (re-adding them keeps that order) */
  traces(): Generator<Span[]>;
}

/** Span identity: Zipkin "shared" spans reuse the client's id for the server side. */
function spanKey(s: Span): string {
  return `${s.spanId}/${s.kind}/${s.service}`;
}

/** Same summary as the Jaeger and Tempo sources (errors: OTel status, error=true, HTTP 5xx). */
function summarize(entry: Entry): TraceSummary {
  return summarizeTrace(entry.traceId, [...entry.spans.values()].map(withEffectiveStatus));
}

function withEffectiveStatus(s: Span): Span {
  const status = effectiveStatus(s.status, s.attributes);
  return status === s.status ? s : { ...s, status };
}

/** One span of the trace must match service, operation and every tag (span or resource attribute). */
function spanMatches(span: Span, q: TracesQuery): boolean {
  if (q.service !== undefined && span.service !== q.service) return false;
  if (q.operation !== undefined && span.name !== q.operation) return false;
  for (const [k, v] of Object.entries(q.tags ?? {})) {
    const got = span.attributes[k] ?? span.resource?.[k];
    if (got === undefined || String(got) !== v) return false;
  }
  return true;
}

function matches(s: TraceSummary, q: TracesQuery, spans: Iterable<Span>): boolean {
  if (q.minDurationMs !== undefined && s.durationMs < q.minDurationMs) return false;
  if (q.maxDurationMs !== undefined && s.durationMs > q.maxDurationMs) return false;
  if (q.error === true && s.errorCount === 0) return false;
  if (q.error === false && s.errorCount > 0) return false;
  if (q.from !== undefined && s.startMs < q.from) return false;
  if (q.to !== undefined && s.startMs > q.to) return false;
  if (q.service !== undefined || q.operation !== undefined || q.tags !== undefined) {
    for (const span of spans) if (spanMatches(span, q)) return true;
    return false;
  }
  return true;
}

/**
 * Bounded in-memory trace store. Traces live in a Map in order of their last update, so the
 * trace that has been quiet the longest is evicted first (whole traces, never half of one).
 */
export function createTraceStore(opts: TraceStoreOptions = {}): TraceStore {
  const maxSpans = opts.maxSpans ?? 100_000;
  const maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
  const maxPerTrace = opts.maxSpansPerTrace ?? 10_000;
  const traces = new Map<string, Entry>();
  let spanCount = 0;
  let byteCount = 0;
  let evictedSpans = 0;

  function evict(): void {
    while ((spanCount > maxSpans || byteCount > maxBytes) && traces.size > 0) {
      const oldest = traces.values().next().value;
      if (!oldest) break;
      traces.delete(oldest.traceId);
      spanCount -= oldest.spans.size;
      byteCount -= oldest.bytes;
      evictedSpans += oldest.spans.size;
    }
  }

  function addOne(span: Span): boolean {
    let entry = traces.get(span.traceId);
    if (entry) traces.delete(span.traceId);
    else entry = { traceId: span.traceId, spans: new Map(), bytes: 0, summary: undefined };
    traces.set(span.traceId, entry); // (re)insert: most recently updated last
    const key = spanKey(span);
    const previous = entry.spans.get(key);
    if (!previous && entry.spans.size >= maxPerTrace) return false;
    const bytes = JSON.stringify(span).length;
    if (previous) {
      byteCount -= JSON.stringify(previous).length;
      entry.bytes -= JSON.stringify(previous).length;
    } else spanCount += 1;
    entry.spans.set(key, span);
    entry.bytes += bytes;
    byteCount += bytes;
    entry.summary = undefined;
    return true;
  }

  function summaryOf(entry: Entry): TraceSummary {
    entry.summary ??= summarize(entry);
    return entry.summary;
  }

  return {
    add(spans) {
      let stored = 0;
      for (const s of spans) if (addOne(s)) stored += 1;
      evict();
      return stored;
    },
    get(traceId) {
      const entry = traces.get(traceId);
      if (!entry || entry.spans.size === 0) return undefined;
      const spans = [...entry.spans.values()]
        .map(withEffectiveStatus)
        .sort((a, b) => a.startMs - b.startMs);
      return { summary: summaryOf(entry), spans };
    },
    search(q) {
      const out: TraceSummary[] = [];
      for (const entry of traces.values()) {
        if (entry.spans.size === 0) continue;
        const s = summaryOf(entry);
        if (matches(s, q, entry.spans.values())) out.push(s);
      }
      out.sort((a, b) => b.startMs - a.startMs || (a.traceId < b.traceId ? -1 : 1));
      return out.slice(0, q.limit);
    },
    size: () => ({ traces: traces.size, spans: spanCount, bytes: byteCount }),
    evicted: () => evictedSpans,
    services() {
      const names = new Set<string>();
      for (const e of traces.values()) for (const span of e.spans.values()) names.add(span.service);
      return [...names].sort();
    },
    operations(service) {
      const names = new Set<string>();
      for (const e of traces.values())
        for (const span of e.spans.values()) if (span.service === service) names.add(span.name);
      return [...names].sort();
    },
    *traces() {
      for (const entry of [...traces.values()]) yield [...entry.spans.values()];
    },
  };
}
