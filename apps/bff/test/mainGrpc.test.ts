import { Client, Metadata, credentials } from '@grpc/grpc-js';
import { traceResponseSchema } from '@meshlens/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { TRACE_SERVICE_EXPORT } from '../src/traces/otlpGrpc';
import { decodeTraceResponse, encodeTraceRequest } from '../src/traces/otlpProto';
import { type Proc, eventually, startTsx } from './processes';

const procs: Proc[] = [];
let client: Client | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await Promise.all(procs.splice(0).map((p) => p.stop('SIGKILL')));
});

describe('main.ts --otlp-grpc-port', () => {
  it('receives OTLP/gRPC beside HTTP into the same store and drains on SIGTERM', async () => {
    const bff = startTsx('apps/bff/src/main.ts', [
      '--source',
      'fixture',
      '--port',
      '0',
      '--otlp-grpc-port',
      '0',
    ]);
    procs.push(bff);
    const grpcLog = await bff.waitForLog('OTLP/gRPC receiver listening');
    expect(grpcLog.address).toBe('127.0.0.1');
    const url = String((await bff.waitForLog('listening')).url).replace(/\/$/, '');
    client = new Client(`127.0.0.1:${String(grpcLog.port)}`, credentials.createInsecure());
    const traceId = 'ab'.repeat(16);
    const body = encodeTraceRequest({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'via-grpc' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.from(traceId, 'hex'),
                  spanId: Buffer.from('cd'.repeat(8), 'hex'),
                  name: 'GET /grpc',
                  startTimeUnixNano: `${BigInt(Date.now()) * 1_000_000n}`,
                  endTimeUnixNano: `${BigInt(Date.now() + 3) * 1_000_000n}`,
                },
              ],
            },
          ],
        },
      ],
    });
    const c = client;
    const reply = await new Promise<Buffer>((resolve, reject) =>
      c.makeUnaryRequest(
        TRACE_SERVICE_EXPORT,
        (b: Uint8Array) => Buffer.from(b),
        (b: Buffer) => b,
        body,
        new Metadata(),
        (err, value) => (err ? reject(err) : resolve(value ?? Buffer.alloc(0))),
      ),
    );
    expect(decodeTraceResponse(reply)).toEqual({});
    const found = await eventually(async () => {
      const res = await fetch(`${url}/api/v1/traces/${traceId}`);
      return res.ok ? traceResponseSchema.parse(await res.json()) : undefined;
    });
    expect(found.summary).toMatchObject({ rootName: 'GET /grpc', rootService: 'via-grpc' });
    expect(await bff.stop('SIGTERM')).toBe(0);
  });
});
