import otlpRoot from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import protobuf from 'protobufjs';

/*
 * OTLP protobuf, decoded with the message classes the OpenTelemetry JS exporters themselves encode
 * with (protobufjs code generated from opentelemetry-proto, shipped in @opentelemetry/otlp-transformer).
 * The package types its root as a bare protobufjs Root, so the few classes used here are looked up
 * and checked once at load time.
 */

interface MessageClass {
  decode(reader: Uint8Array): object;
  encode(message: object): { finish(): Uint8Array };
  fromObject(object: Record<string, unknown>): object;
  toObject(message: object, options: protobuf.IConversionOptions): Record<string, unknown>;
}

function isMessageClass(v: unknown): v is MessageClass {
  return (
    typeof v === 'function' &&
    'decode' in v &&
    'encode' in v &&
    'fromObject' in v &&
    'toObject' in v
  );
}

function lookup(root: unknown, dotted: string): MessageClass {
  let node: unknown = root;
  for (const part of dotted.split('.')) {
    node =
      typeof node === 'object' || typeof node === 'function'
        ? Reflect.get(node ?? {}, part)
        : undefined;
  }
  if (!isMessageClass(node)) throw new Error(`OTLP protobuf class ${dotted} not found`);
  return node;
}

const COLLECTOR = 'opentelemetry.proto.collector.trace.v1';
const requestClass = lookup(otlpRoot, `${COLLECTOR}.ExportTraceServiceRequest`);
const responseClass = lookup(otlpRoot, `${COLLECTOR}.ExportTraceServiceResponse`);

/** google.rpc.Status and RetryInfo (googleapis google/rpc/*.proto), for OTLP error bodies and gRPC details. */
const rpcRoot = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: {
              fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } },
            },
            Duration: {
              fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } },
            },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            RetryInfo: {
              fields: { retry_delay: { type: 'google.protobuf.Duration', id: 1 } },
            },
          },
        },
      },
    },
  },
});
const statusType = rpcRoot.lookupType('google.rpc.Status');
const retryInfoType = rpcRoot.lookupType('google.rpc.RetryInfo');

/**
 * Binary ExportTraceServiceRequest -> the OTLP/JSON shape (`convertOtlp` input): ids as base64,
 * 64-bit integers as decimal strings, enums by name. Throws when the bytes are not that message.
 */
export function decodeTraceRequest(bytes: Uint8Array): unknown {
  const message = requestClass.decode(bytes);
  return requestClass.toObject(message, protobuf.util.toJSONOptions);
}

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

export function encodeTraceResponse(partial: PartialSuccess | undefined): Uint8Array {
  const message = responseClass.fromObject(partial ? { partialSuccess: partial } : {});
  return responseClass.encode(message).finish();
}

/** gRPC status codes used by OTLP (grpc/status codes, same numbers in google.rpc.Code). */
export const RPC_CODE = {
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  UNAVAILABLE: 14,
} as const;

/** google.rpc.Status, optionally carrying a RetryInfo detail (how long to wait before retrying). */
export function encodeStatus(
  code: number,
  message: string,
  retryAfterSeconds?: number,
): Uint8Array {
  const details =
    retryAfterSeconds === undefined
      ? []
      : [
          {
            type_url: 'type.googleapis.com/google.rpc.RetryInfo',
            value: retryInfoType
              .encode(
                retryInfoType.fromObject({ retry_delay: { seconds: retryAfterSeconds, nanos: 0 } }),
              )
              .finish(),
          },
        ];
  return statusType.encode(statusType.fromObject({ code, message, details })).finish();
}

export interface DecodedStatus {
  code: number;
  message: string;
  retryDelaySeconds?: number;
}

/** For tests and diagnostics: the inverse of `encodeStatus`. */
export function decodeStatus(bytes: Uint8Array): DecodedStatus {
  const raw = statusType.toObject(statusType.decode(bytes), { longs: Number, defaults: true });
  const out: DecodedStatus = { code: Number(raw.code), message: String(raw.message) };
  const details: unknown = raw.details;
  if (Array.isArray(details)) {
    for (const d of details as unknown[]) {
      if (typeof d !== 'object' || d === null) continue;
      if (Reflect.get(d, 'type_url') !== 'type.googleapis.com/google.rpc.RetryInfo') continue;
      const value: unknown = Reflect.get(d, 'value');
      if (!(value instanceof Uint8Array)) continue;
      const info = retryInfoType.toObject(retryInfoType.decode(value), { longs: Number });
      const delay: unknown = info.retry_delay;
      if (typeof delay === 'object' && delay !== null) {
        out.retryDelaySeconds = Number(Reflect.get(delay, 'seconds') ?? 0);
      }
    }
  }
  return out;
}

/** For tests: a binary ExportTraceServiceResponse in its JSON shape. */
export function decodeTraceResponse(bytes: Uint8Array): Record<string, unknown> {
  return responseClass.toObject(responseClass.decode(bytes), protobuf.util.toJSONOptions);
}

/** For tests: encodes an OTLP/JSON request (as in the testdata files) to protobuf. */
export function encodeTraceRequest(json: Record<string, unknown>): Uint8Array {
  return requestClass.encode(requestClass.fromObject(json)).finish();
}
