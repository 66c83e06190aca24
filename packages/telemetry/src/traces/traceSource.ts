import type { Span, TraceSummary } from '@meshlens/contract';

/** The trace search every source answers; times are epoch ms, durations ms. */
export interface TraceSearch {
  service?: string | undefined;
  /** span name (Jaeger's "operation") */
  operation?: string | undefined;
  /** span or resource attributes one span must carry, compared as strings */
  tags?: Readonly<Record<string, string>> | undefined;
  /** bounds of the trace start */
  from?: number | undefined;
  to?: number | undefined;
  minDurationMs?: number | undefined;
  maxDurationMs?: number | undefined;
  /** true: only traces with an error span; false: only traces without */
  error?: boolean | undefined;
  limit: number;
}

export interface FoundTrace {
  summary: TraceSummary;
  /** ordered by startMs */
  spans: Span[];
}

export type TraceSourceKind = 'memory' | 'jaeger' | 'tempo';

export interface TraceSourceStatus {
  kind: TraceSourceKind;
  /** backend URL, null for memory */
  url: string | null;
  healthy: boolean;
  /** the last failure, naming the backend and how it failed */
  lastError: string | null;
  /** epoch ms of the last request that reached the backend, null before any */
  lastCheckMs: number | null;
}

/**
 * Where traces are read from: the BFF's own memory (demo), a Jaeger query service or Tempo. The
 * API and the SPA stay the same for every source. External sources throw `BackendError` (an
 * `UpstreamError`) whose message names the backend and how it failed.
 */
export interface TraceSource {
  readonly kind: TraceSourceKind;
  /** newest first, at most `limit` */
  search(q: TraceSearch): Promise<TraceSummary[]>;
  /** id as 32 lowercase hex digits; undefined when the backend does not know it */
  trace(traceId: string): Promise<FoundTrace | undefined>;
  services(): Promise<string[]>;
  operations(service: string): Promise<string[]>;
  /** asks the backend something cheap and records the outcome in status() */
  check(): Promise<TraceSourceStatus>;
  status(): TraceSourceStatus;
  close(): void;
}
