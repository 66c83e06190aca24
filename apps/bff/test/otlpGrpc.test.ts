import { Client, Metadata, type ServiceError, credentials, status } from '@grpc/grpc-js';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppDeps } from '../src/app';
import { createFixtureSource } from '../src/fixture/fixtureSource';
import { type OtlpGrpcReceiver, TRACE_SERVICE_EXPORT, startOtlpGrpc } from '../src/traces/otlpGrpc';
import { decodeStatus, decodeTraceResponse, encodeTraceRequest } from '../src/traces/otlpProto';
import { FIXED_NOW, type Running, getJson, startBff } from './helpers';

let running: Running | undefined;
let receiver: OtlpGrpcReceiver | undefined;
let client: Client | undefined;
afterEach(async () => {
  client?.close();
  await receiver?.close();
  await running?.close();
  client = undefined;
  receiver = undefined;
  running = undefined;
});

async function start(extra: Partial<AppDeps> = {}, authToken?: string) {
  const source = createFixtureSource({ now: () => FIXED_NOW, tickIntervalMs: 0 });
  running = await startBff({ source, now: () => FIXED_NOW, ...extra });
  receiver = await startOtlpGrpc({
    ingest: running.bff.ingest,
    port: 0,
    address: '127.0.0.1',
    logger: pino({ level: 'silent' }),
    authToken,
  });
  client = new Client(`127.0.0.1:${receiver.port}`, credentials.createInsecure());
  return { url: running.url, client };
}

type Outcome = { ok: Buffer } | { err: ServiceError };

/** A raw unary call, so the test controls the bytes and sees the exact status. */
function exportRaw(c: Client, body: Uint8Array, metadata = new Metadata()): Promise<Outcome> {
  return new Promise((resolve) => {
    c.makeUnaryRequest(
      TRACE_SERVICE_EXPORT,
      (b: Uint8Array) => Buffer.from(b),
      (b: Buffer) => b,
      body,
      metadata,
      (err, value) => resolve(err ? { err } : { ok: value ?? Buffer.alloc(0) }),
    );
  });
}

const request = (traceHex: string, name = 'op') =>
  encodeTraceRequest({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'grpc-app' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: Buffer.from(traceHex, 'hex'),
                spanId: Buffer.from('0102030405060708', 'hex'),
                name,
                kind: 2,
                startTimeUnixNano: `${BigInt(FIXED_NOW) * 1_000_000n}`,
                endTimeUnixNano: `${BigInt(FIXED_NOW + 7) * 1_000_000n}`,
              },
            ],
          },
        ],
      },
    ],
  });

function errOf(o: Outcome): ServiceError {
  if (!('err' in o)) throw new Error('expected the call to fail');
  return o.err;
}

describe('OTLP/gRPC receiver', () => {
  it('stores an Export and answers partial success for rejected spans', async () => {
    const { url, client: c } = await start();
    const ok = await exportRaw(c, request('33'.repeat(16), 'served'));
    expect('ok' in ok && decodeTraceResponse(ok.ok)).toEqual({});
    const t = await getJson(`${url}/api/v1/traces/${'33'.repeat(16)}`);
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({
      summary: { rootName: 'served', rootService: 'grpc-app', spanCount: 1, durationMs: 7 },
    });
    const partial = await exportRaw(c, request('abcd'));
    expect('ok' in partial && decodeTraceResponse(partial.ok)).toEqual({
      partialSuccess: { rejectedSpans: '1', errorMessage: 'invalid trace or span id "q80="' },
    });
  });

  it('answers INVALID_ARGUMENT for bytes that are not an ExportTraceServiceRequest', async () => {
    const { client: c } = await start();
    const err = errOf(await exportRaw(c, new Uint8Array([0x0a, 0x05, 0x01])));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(
      /^body is not a protobuf OTLP ExportTraceServiceRequest \(index out of range/,
    );
  });

  it('answers RESOURCE_EXHAUSTED with RetryInfo over the shared rate limit, and for oversize', async () => {
    const { url, client: c } = await start({
      ingest: { maxBodyBytes: 4096, ratePerSecond: 0.2, burst: 2 },
    });
    // HTTP and gRPC share one bucket: one HTTP request plus one call use up the burst of 2.
    const http = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: request('44'.repeat(16)),
    });
    expect(http.status).toBe(200);
    expect('ok' in (await exportRaw(c, request('55'.repeat(16))))).toBe(true);
    const limited = errOf(await exportRaw(c, request('66'.repeat(16))));
    expect(limited.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(limited.details).toBe('too many trace ingest requests, retry later');
    const bin = limited.metadata.get('grpc-status-details-bin')[0];
    expect(bin).toBeInstanceOf(Buffer);
    expect(decodeStatus(bin as Buffer)).toEqual({
      code: status.RESOURCE_EXHAUSTED,
      message: 'too many trace ingest requests, retry later',
      retryDelaySeconds: 5,
    });
    const big = errOf(await exportRaw(c, request('77'.repeat(16), 'x'.repeat(8192))));
    expect(big.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(big.details).toMatch(/larger than max/);
  });

  it('requires the bearer token when the BFF has one', async () => {
    const { client: c } = await start({}, 'secret-token-1');
    const denied = errOf(await exportRaw(c, request('88'.repeat(16))));
    expect(denied.code).toBe(status.UNAUTHENTICATED);
    const md = new Metadata();
    md.set('authorization', 'Bearer secret-token-1');
    expect('ok' in (await exportRaw(c, request('88'.repeat(16)), md))).toBe(true);
  });
});
