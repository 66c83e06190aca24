import { gzipSync } from 'node:zlib';
import { type TraceResponse, traceResponseSchema } from '@meshlens/contract';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppDeps } from '../src/app';
import { createFixtureSource } from '../src/fixture/fixtureSource';
import { decodeStatus, decodeTraceResponse, encodeTraceRequest } from '../src/traces/otlpProto';
import { FIXED_NOW, type Running, getJson, startBff } from './helpers';
import { readTestdata, testdataDir } from './testdata';

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function start(extra: Partial<AppDeps> = {}): Promise<Running> {
  const source = createFixtureSource({ now: () => FIXED_NOW, tickIntervalMs: 0 });
  const r = await startBff({ source, now: () => FIXED_NOW, ...extra });
  running.push(r);
  return r;
}

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/**
 * OTLP/JSON writes ids as hex, the protobuf JSON mapping (protobufjs fromObject) reads bytes as
 * base64: turn the hex ids into bytes so the binary message carries the ids the file means.
 */
function hexIdsToBytes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(hexIdsToBytes);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [
      k,
      ID_KEYS.has(k) && typeof x === 'string' ? Buffer.from(x, 'hex') : hexIdsToBytes(x),
    ]),
  );
}

function toProtobuf(json: string): Uint8Array {
  const parsed = hexIdsToBytes(JSON.parse(json));
  if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
  return encodeTraceRequest(parsed as Record<string, unknown>);
}

function postProto(url: string, body: Uint8Array, headers: Record<string, string> = {}) {
  return fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', ...headers },
    body,
  });
}

async function traceOf(url: string, id: string): Promise<TraceResponse> {
  const { status, body } = await getJson(`${url}/api/v1/traces/${id}`);
  expect(status).toBe(200);
  return traceResponseSchema.parse(body);
}

const withoutTime = (t: TraceResponse) => ({ summary: t.summary, trace: t.trace });

const dir = testdataDir();

describe.runIf(dir)('OTLP/HTTP protobuf: the real OTLP payloads of ../shared/testdata', () => {
  const data = (file: string) => readTestdata(dir ?? '', `traces/otlp/${file}`);

  it('stores the official example (trace.json) and answers with a protobuf response', async () => {
    const { url } = await start();
    const res = await postProto(url, toProtobuf(data('trace.json')));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    expect(decodeTraceResponse(new Uint8Array(await res.arrayBuffer()))).toEqual({});
    const t = await traceOf(url, '5b8efff798038103d269b633813fc60c');
    expect(t.trace.spans).toEqual([
      {
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        parentSpanId: 'eee19b7ec3c1b173',
        name: "I'm a server span",
        service: 'my.service',
        kind: 'server',
        startMs: 1544712660000,
        durationMs: 1000,
        status: { code: 'unset' },
        attributes: { 'my.span.attr': 'some value' },
        events: [],
        resource: { 'service.name': 'my.service' },
      },
    ]);
  });

  it('decodes a collector-sized batch off the event loop and stores every span', async () => {
    const r = await start();
    // the official example's span, 4,000 times under one parent: about 400 KiB of protobuf
    const example = JSON.parse(data('trace.json')) as {
      resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[];
    };
    const scope = example.resourceSpans[0]?.scopeSpans[0];
    const span = scope?.spans[0];
    if (!scope || !span) throw new Error('trace.json has no span');
    scope.spans = Array.from({ length: 4000 }, (_, i) => ({
      ...span,
      spanId: (i + 1).toString(16).padStart(16, '0'),
    }));
    const body = toProtobuf(JSON.stringify(example));
    expect(body.byteLength).toBeGreaterThan(256 * 1024);
    const res = await postProto(r.url, body);
    expect(res.status).toBe(200);
    expect(r.bff.ingest.decoder.offloaded).toBe(1);
    const t = await traceOf(r.url, '5b8efff798038103d269b633813fc60c');
    expect(t.trace.spans).toHaveLength(4000);
    expect(new Set(t.trace.spans.map((s) => s.service))).toEqual(new Set(['my.service']));
  });

  it('gives the same traces for Jaeger’s OTLP fixture as JSON and as gzipped protobuf', async () => {
    const viaJson = await start();
    const viaProto = await start();
    const json = data('jaeger-otel_traces_01.json');
    const jsonRes = await fetch(`${viaJson.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: json,
    });
    expect(jsonRes.status).toBe(200);
    const protoRes = await postProto(viaProto.url, gzipSync(toProtobuf(json)), {
      'content-encoding': 'gzip',
    });
    expect(protoRes.status).toBe(200);

    const first = '00000000000000010000000000000000';
    const second = '00000000000000020000000000000000';
    for (const id of [first, second]) {
      expect(withoutTime(await traceOf(viaProto.url, id))).toEqual(
        withoutTime(await traceOf(viaJson.url, id)),
      );
    }
    const t = await traceOf(viaProto.url, first);
    expect(t.summary.spanCount).toBe(2);
    expect(t.summary.errorCount).toBe(2);
    expect(t.summary.services).toEqual(['service-x']);
    expect(t.trace.spans.map((s) => [s.name, s.spanId, s.parentSpanId, s.kind])).toEqual([
      ['test-general-conversion-2', '0000000000000002', '0000000000000003', 'server'],
      ['test-general-conversion-4', '0000000000000004', '0000000000000011', 'producer'],
    ]);
    expect(t.trace.spans[0]?.attributes).toEqual({
      'peer.service': 'service-y',
      'peer.ipv4': 23456,
      blob: 'AAAwOQ==',
      temperature: 72.5,
    });
    expect(t.trace.spans[0]?.startMs).toBe(1485467191639.875);
    expect(t.trace.spans[0]?.durationMs).toBe(0.005);
    expect(t.trace.spans[0]?.events.map((e) => [e.name, e.attributes])).toEqual([
      ['testing-event', { 'event-x': 'event-y' }],
      ['', { x: 'y' }],
    ]);
    expect((await traceOf(viaProto.url, second)).summary.spanCount).toBe(2);
  });

  it('assembles one trace from the four requests of the JSON-lines file', async () => {
    const { url } = await start();
    const lines = data('jaeger-ui-otlp2jaeger-multi-in.jsonl').split('\n').filter(Boolean);
    expect(lines).toHaveLength(4);
    for (const line of lines) expect((await postProto(url, toProtobuf(line))).status).toBe(200);
    const t = await traceOf(url, 'c620759e5d60fafb8ee0922b30e06bc6');
    expect(t.summary.spanCount).toBe(4);
    expect(t.summary.services).toEqual(['example-trace']);
    expect(t.trace.spans.every((s) => s.kind === 'internal')).toBe(true);
  });
});

describe('OTLP/HTTP protobuf: errors and limits as the OTLP specification says', () => {
  const span = (traceId: Buffer, name: string) => ({
    traceId,
    spanId: Buffer.from('0102030405060708', 'hex'),
    name,
    startTimeUnixNano: `${BigInt(FIXED_NOW) * 1_000_000n}`,
    endTimeUnixNano: `${BigInt(FIXED_NOW + 5) * 1_000_000n}`,
  });
  const request = (...spans: ReturnType<typeof span>[]) =>
    encodeTraceRequest({ resourceSpans: [{ scopeSpans: [{ spans }] }] });

  it('answers partial success with rejected_spans and the reason, in protobuf', async () => {
    const { url } = await start();
    const good = span(Buffer.from('11'.repeat(16), 'hex'), 'kept');
    const bad = span(Buffer.from('abcd', 'hex'), 'dropped');
    const res = await postProto(url, request(good, bad));
    expect(res.status).toBe(200);
    expect(decodeTraceResponse(new Uint8Array(await res.arrayBuffer()))).toEqual({
      partialSuccess: { rejectedSpans: '1', errorMessage: 'invalid trace or span id "q80="' },
    });
    expect((await traceOf(url, '11'.repeat(16))).summary.rootName).toBe('kept');
  });

  it('rejects bytes that are not an ExportTraceServiceRequest with 400 and a protobuf Status', async () => {
    const { url } = await start();
    const res = await postProto(url, new Uint8Array([0x0a, 0x05, 0x01]));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const status = decodeStatus(new Uint8Array(await res.arrayBuffer()));
    expect(status.code).toBe(3);
    expect(status.message).toMatch(
      /^body is not a protobuf OTLP ExportTraceServiceRequest \(index out of range/,
    );
  });

  it('answers 413 for a body over the limit, also after gunzip, and 429 with Retry-After', async () => {
    const { url } = await start({ ingest: { maxBodyBytes: 2048, ratePerSecond: 0.5, burst: 3 } });
    const big = request(span(Buffer.from('22'.repeat(16), 'hex'), 'x'.repeat(4096)));
    const tooBig = await postProto(url, big);
    expect(tooBig.status).toBe(413);
    expect(decodeStatus(new Uint8Array(await tooBig.arrayBuffer())).message).toBe(
      'request body is larger than the limit',
    );
    const zipped = gzipSync(big);
    expect(zipped.length).toBeLessThan(2048);
    expect((await postProto(url, zipped, { 'content-encoding': 'gzip' })).status).toBe(413);
    expect((await postProto(url, request())).status).toBe(200);
    const limited = await postProto(url, request());
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    const status = decodeStatus(new Uint8Array(await limited.arrayBuffer()));
    expect(status).toEqual({ code: 8, message: 'too many trace ingest requests, retry later' });
  });
});
