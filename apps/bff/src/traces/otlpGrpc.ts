import { timingSafeEqual } from 'node:crypto';
import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { OtlpIngest } from './ingest';
import { encodeStatus, encodeTraceResponse } from './otlpProto';

export const TRACE_SERVICE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

const passThrough = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/*
 * The messages cross grpc-js as raw bytes and are decoded in the handler, so a request that is not
 * an ExportTraceServiceRequest gets INVALID_ARGUMENT with a reason instead of grpc-js's generic
 * INTERNAL deserialization failure.
 */
const traceService: ServiceDefinition = {
  Export: {
    path: TRACE_SERVICE_EXPORT,
    requestStream: false,
    responseStream: false,
    requestSerialize: passThrough,
    requestDeserialize: passThrough,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  },
};

export interface OtlpGrpcOptions {
  ingest: OtlpIngest;
  /** 0 picks a free port */
  port: number;
  address: string;
  logger: Logger;
  /** when set, calls must carry `authorization: Bearer TOKEN` (the BFF's --auth-token) */
  authToken?: string | undefined;
}

export interface OtlpGrpcReceiver {
  readonly port: number;
  /** stops accepting calls, waits for running ones (forced after 5 s) */
  close(): Promise<void>;
}

function sameToken(given: string, want: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

function authorized(md: Metadata, token: string | undefined): boolean {
  if (token === undefined) return true;
  const value = md.get('authorization')[0];
  const text = typeof value === 'string' ? value : value?.toString('utf8');
  return text?.startsWith('Bearer ') === true && sameToken(text.slice(7).trim(), token);
}

function exportHandler(opts: OtlpGrpcOptions) {
  const { ingest } = opts;
  return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    if (!authorized(call.metadata, opts.authToken)) {
      callback({ code: status.UNAUTHENTICATED, details: 'a valid bearer token is required' });
      return;
    }
    if (!ingest.bucket.take()) {
      // OTLP/gRPC: throttling is RESOURCE_EXHAUSTED with a RetryInfo detail telling when to retry.
      const details = 'too many trace ingest requests, retry later';
      const metadata = new Metadata();
      const retry = ingest.bucket.retryAfterSeconds;
      metadata.set(
        'grpc-status-details-bin',
        Buffer.from(encodeStatus(status.RESOURCE_EXHAUSTED, details, retry)),
      );
      callback({ code: status.RESOURCE_EXHAUSTED, details, metadata });
      return;
    }
    void ingest
      .exportTraces({ encoding: 'protobuf', bytes: call.request }, 'otlp_grpc')
      .then((result) => {
        if (!result.ok) {
          callback({ code: status.INVALID_ARGUMENT, details: result.error });
          return;
        }
        callback(null, passThrough(encodeTraceResponse(result.partial)));
      })
      .catch(() => callback({ code: status.INTERNAL, details: 'the spans could not be stored' }));
  };
}

/** OTLP/gRPC trace receiver: TraceService/Export into the same store and limits as POST /v1/traces. */
export async function startOtlpGrpc(opts: OtlpGrpcOptions): Promise<OtlpGrpcReceiver> {
  const server = new Server({
    // Larger messages fail in grpc-js with RESOURCE_EXHAUSTED, as OTLP expects for oversize.
    'grpc.max_receive_message_length': opts.ingest.maxBodyBytes,
  });
  server.addService(traceService, { Export: exportHandler(opts) });
  const port = await new Promise<number>((resolve, reject) => {
    const host = opts.address.includes(':') ? `[${opts.address}]` : opts.address;
    server.bindAsync(`${host}:${opts.port}`, ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
  opts.logger.info({ address: opts.address, port }, 'OTLP/gRPC receiver listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 5000);
        force.unref();
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
