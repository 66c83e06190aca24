import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** gRPC (and gRPC-Web over h2) requests: their outcome is in `grpc-status`, not the HTTP status. */
export function isGrpc(headers: IncomingHttpHeaders | OutgoingHttpHeaders): boolean {
  const ct = headers['content-type'];
  return typeof ct === 'string' && ct.startsWith('application/grpc');
}

/**
 * The `grpc-status` of one call, seen in the response headers (trailers-only responses) or in
 * the trailers. Filled by the relay, read when the response is counted and its span ends.
 */
export class GrpcOutcome {
  code: string | undefined = undefined;

  note(headers: IncomingHttpHeaders | undefined): void {
    const v = headers?.['grpc-status'];
    // Bounded label values: gRPC codes are 0..16; anything else is reported as "other".
    if (typeof v === 'string') this.code = /^\d{1,2}$/.test(v) && Number(v) <= 16 ? v : 'other';
  }

  get failed(): boolean {
    return this.code !== undefined && this.code !== '0';
  }
}

/** Span attributes of a gRPC call (OpenTelemetry's rpc.* conventions). */
export function grpcSpanAttributes(grpc: GrpcOutcome | undefined): Record<string, string | number> {
  if (grpc?.code === undefined) return {};
  const code = Number(grpc.code);
  return Number.isInteger(code)
    ? { 'rpc.system': 'grpc', 'rpc.grpc.status_code': code }
    : { 'rpc.system': 'grpc' };
}
