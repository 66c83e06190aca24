import { type ConvertResult, convertOtlp } from './otlp';
import { decodeTraceRequest } from './otlpProto';

/** An OTLP ExportTraceServiceRequest as it arrived: its encoding and its (inflated) bytes. */
export interface OtlpPayload {
  encoding: 'json' | 'protobuf';
  bytes: Uint8Array;
}

export type DecodeResult = ConvertResult | { error: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function why(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Bytes to spans: protobuf through the OpenTelemetry message classes, JSON through JSON.parse,
 * then the one OTLP converter. Pure and synchronous, so it runs the same inline and in the
 * decode worker; every failure is an `error` naming what is wrong with the body.
 */
export function decodeOtlp(payload: OtlpPayload): DecodeResult {
  let body: unknown;
  if (payload.encoding === 'protobuf') {
    try {
      body = decodeTraceRequest(payload.bytes);
    } catch (err) {
      return { error: `body is not a protobuf OTLP ExportTraceServiceRequest (${why(err)})` };
    }
  } else {
    try {
      body = JSON.parse(utf8.decode(payload.bytes));
    } catch {
      return { error: 'request body is not valid JSON' };
    }
  }
  return convertOtlp(body);
}
