import type { ServerResponse } from 'node:http';
import type { GrpcOutcome } from './h2/grpc';
import type { HttpSeries } from './httpSeries';
import type { ProxyMetrics } from './metrics';

export interface ResponseRecord {
  series: HttpSeries;
  metrics: ProxyMetrics;
  res: ServerResponse;
  status: number;
  ms: number;
  /** Set for a sampled span: the latency observation carries it as an exemplar. */
  traceId: string | undefined;
  proxyError: string | undefined;
  grpc: GrpcOutcome | undefined;
  /**
   * Ends the span: at once, or for gRPC once the trailers are relayed. Undefined for a span
   * that records nothing (no closure or attributes made for it).
   */
  endSpan: (() => void) | undefined;
}

/**
 * Observes the latency now (headers went out), counts the response once its stream is over
 * (failure for 5xx or a broken stream) and ends the span when its outcome is known; one
 * 'close' listener serves both when both wait for the end of the response.
 */
export function recordResponse(r: ResponseRecord): void {
  const { res, status } = r;
  const s = r.series.status(status);
  s.latency.observe(r.ms, r.traceId === undefined ? undefined : { trace_id: r.traceId });
  // A 101 is complete once its head is out: the tunnel's life is counted by tcp_*.
  const countNow = status === 101 || res.writableFinished || res.destroyed;
  // A gRPC call's outcome is only known from its trailers, after the response headers.
  const endSpan = r.endSpan;
  const spanNow = endSpan === undefined || r.grpc === undefined || res.writableFinished;
  if (countNow) count(r);
  if (spanNow) endSpan?.();
  if (countNow && spanNow) return;
  res.once('close', () => {
    if (!countNow) count(r);
    if (!spanNow) endSpan?.();
  });
}

function count(r: ResponseRecord): void {
  const { status, proxyError } = r;
  const broken = status !== 101 && !r.res.writableFinished;
  // As in Linkerd, an error the mesh produced (denial, fault, no endpoints) is a failure even
  // with a 4xx status; an app's own 4xx stays a success. gRPC: a non-zero grpc-status.
  const grpcStatus = r.grpc?.code;
  const failure =
    status >= 500 ||
    broken ||
    proxyError !== undefined ||
    (grpcStatus !== undefined && grpcStatus !== '0');
  const error = proxyError ?? (broken ? 'stream-reset' : undefined);
  if (grpcStatus === undefined && error === undefined) {
    const s = r.series.status(status);
    (failure ? s.failure : s.success).inc();
    return;
  }
  // the rarer series with grpc_status / error labels
  r.metrics.responseTotal.inc({
    ...r.series.labels,
    classification: failure ? 'failure' : 'success',
    status_code: String(status),
    ...(grpcStatus === undefined ? {} : { grpc_status: grpcStatus }),
    ...(error === undefined ? {} : { error }),
  });
}
