import { afterEach, describe, expect, it } from 'vitest';
import { decodeOtlp } from './decode';
import { type OtlpDecoder, createOtlpDecoder } from './decodePool';
import { encodeTraceRequest } from './otlpProto';

const decoders: OtlpDecoder[] = [];
afterEach(async () => {
  await Promise.all(decoders.splice(0).map((d) => d.close()));
});

function decoder(idleMs = 60_000): OtlpDecoder {
  const d = createOtlpDecoder({ workerAboveBytes: 1024, idleMs });
  decoders.push(d);
  return d;
}

/** An export request of `n` server spans of one trace, ids as protobuf bytes or OTLP/JSON hex. */
function request(n: number, ids: 'bytes' | 'hex'): Record<string, unknown> {
  const id = (hex: string) => (ids === 'bytes' ? Buffer.from(hex, 'hex') : hex);
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId: id('4bf92f3577b34da6a3ce929d0e0e4736'),
    spanId: id((i + 1).toString(16).padStart(16, '0')),
    name: `GET /items/${i}`,
    kind: 2,
    startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n),
    endTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n + 250_000n),
    attributes: [{ key: 'http.response.status_code', value: { intValue: 200 } }],
    status: { code: 0 },
  }));
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'web' } }] },
        scopeSpans: [{ scope: { name: 'test' }, spans }],
      },
    ],
  };
}

const protobuf = (n: number) => ({
  encoding: 'protobuf' as const,
  bytes: encodeTraceRequest(request(n, 'bytes')),
});
const json = (n: number) => ({
  encoding: 'json' as const,
  bytes: Buffer.from(JSON.stringify(request(n, 'hex'))),
});

async function waitUntil(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('OTLP decoder', () => {
  it('decodes large protobuf and JSON bodies in the worker to the spans the inline path gives', async () => {
    const d = decoder();
    for (const payload of [protobuf(500), json(500)]) {
      const inline = decodeOtlp(payload);
      const viaWorker = await d.decode(payload);
      expect('spans' in viaWorker && viaWorker.spans).toHaveLength(500);
      expect(viaWorker).toEqual(inline);
    }
    expect(d.offloaded).toBe(2);
    // small bodies stay inline: a worker round trip would cost more than it saves
    expect(await d.decode(protobuf(1))).toEqual(decodeOtlp(protobuf(1)));
    expect(d.offloaded).toBe(2);
  });

  it('names what is wrong with a body, inline and in the worker', async () => {
    const d = decoder();
    const garbage = new Uint8Array(4096).fill(0xff);
    const bad = await d.decode({ encoding: 'protobuf', bytes: garbage });
    expect('error' in bad && bad.error).toMatch(
      /^body is not a protobuf OTLP ExportTraceServiceRequest \(/,
    );
    expect(await d.decode({ encoding: 'json', bytes: Buffer.from('{"resourceSpans": [') })).toEqual(
      { error: 'request body is not valid JSON' },
    );
    expect(d.offloaded).toBe(1);
  });

  it('stops the idle worker and starts it again on demand', async () => {
    const d = decoder(20);
    await d.decode(protobuf(200));
    await waitUntil('the idle worker to stop', () => !d.running);
    const again = await d.decode(protobuf(200));
    expect('spans' in again && again.spans).toHaveLength(200);
    expect(d.offloaded).toBe(2);
    await d.close();
    expect(d.running).toBe(false);
  });
});
