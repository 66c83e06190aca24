import { gzipSync } from 'node:zlib';
import { errorResponseSchema, traceResponseSchema, tracesResponseSchema } from '@meshlens/contract';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppDeps } from '../src/app';
import { createFixtureSource } from '../src/fixture/fixtureSource';
import { FIXED_NOW, type Running, getJson, startBff } from './helpers';

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(extra: Partial<AppDeps> = {}) {
  const source = createFixtureSource({ now: () => FIXED_NOW, tickIntervalMs: 0 });
  running = await startBff({ source, now: () => FIXED_NOW, ...extra });
  return running;
}

const TRACE = '5b8efff798038103d269b633813fc60c';
const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;

function otlpBody(
  traceId: string,
  spans: {
    id: string;
    parent?: string;
    name: string;
    startMs: number;
    ms: number;
    error?: boolean;
  }[],
  service = 'checkout',
) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: spans.map((s) => ({
              traceId,
              spanId: s.id,
              ...(s.parent ? { parentSpanId: s.parent } : {}),
              name: s.name,
              kind: 2,
              startTimeUnixNano: nanos(s.startMs),
              endTimeUnixNano: nanos(s.startMs + s.ms),
              attributes: [
                { key: 'http.response.status_code', value: { intValue: s.error ? '500' : '200' } },
                { key: 'retry', value: { boolValue: false } },
              ],
              events: [],
              status: s.error ? { code: 2, message: 'boom' } : { code: 0 },
            })),
          },
        ],
      },
    ],
  };
}

const post = (url: string, body: unknown, contentType = 'application/json') =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: JSON.stringify(body),
  });

describe('trace ingest', () => {
  it('accepts OTLP JSON with hex ids and returns the whole trace', async () => {
    const { url } = await start();
    const res = await post(
      `${url}/v1/traces`,
      otlpBody(TRACE, [
        { id: 'eee19b7ec3c1b174', name: 'POST /checkout', startMs: FIXED_NOW - 5000, ms: 120 },
        {
          id: 'eee19b7ec3c1b175',
          parent: 'eee19b7ec3c1b174',
          name: 'charge',
          startMs: FIXED_NOW - 4990,
          ms: 100,
          error: true,
        },
      ]),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const t = traceResponseSchema.parse((await getJson(`${url}/api/v1/traces/${TRACE}`)).body);
    expect(t.summary).toEqual({
      traceId: TRACE,
      rootService: 'checkout',
      rootName: 'POST /checkout',
      startMs: FIXED_NOW - 5000,
      durationMs: 120,
      spanCount: 2,
      services: ['checkout'],
      errorCount: 1,
    });
    expect(t.trace.spans[1]).toEqual({
      traceId: TRACE,
      spanId: 'eee19b7ec3c1b175',
      parentSpanId: 'eee19b7ec3c1b174',
      name: 'charge',
      service: 'checkout',
      kind: 'server',
      startMs: FIXED_NOW - 4990,
      durationMs: 100,
      status: { code: 'error', message: 'boom' },
      attributes: { 'http.response.status_code': 500, retry: false },
      events: [],
      resource: { 'service.name': 'checkout' },
    });
  });

  it('accepts base64 ids (protobuf JSON mapping) and reports rejected spans', async () => {
    const { url } = await start();
    const b64Trace = Buffer.from(TRACE, 'hex').toString('base64');
    const b64Span = Buffer.from('0102030405060708', 'hex').toString('base64');
    const body = otlpBody(b64Trace, [{ id: b64Span, name: 'a', startMs: FIXED_NOW, ms: 1 }]);
    const bad = otlpBody('not-an-id', [{ id: 'zz', name: 'b', startMs: FIXED_NOW, ms: 1 }]);
    body.resourceSpans.push(...bad.resourceSpans);
    const res = await post(`${url}/v1/traces`, body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      partialSuccess: { rejectedSpans: 1, errorMessage: 'invalid trace or span id "not-an-id"' },
    });
    const t = traceResponseSchema.parse((await getJson(`${url}/api/v1/traces/${TRACE}`)).body);
    expect(t.trace.spans.map((s) => s.spanId)).toEqual(['0102030405060708']);
    // The id may also be asked for in base64.
    expect((await getJson(`${url}/api/v1/traces/${encodeURIComponent(b64Trace)}`)).status).toBe(
      200,
    );
  });

  it('accepts gzip-compressed bodies (OTLP exporters with compression: gzip)', async () => {
    const { url } = await start();
    const body = gzipSync(
      JSON.stringify(
        otlpBody(TRACE, [{ id: '0a0a0a0a0a0a0a0a', name: 'zipped', startMs: FIXED_NOW, ms: 3 }]),
      ),
    );
    const res = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    });
    expect(res.status).toBe(200);
    const t = traceResponseSchema.parse((await getJson(`${url}/api/v1/traces/${TRACE}`)).body);
    expect(t.summary.rootName).toBe('zipped');
  });

  it('accepts Zipkin v2 JSON', async () => {
    const { url } = await start();
    const res = await post(`${url}/api/v2/spans`, [
      {
        traceId: '463ac35c9f6413ad',
        id: '72485a3953bb6124',
        name: 'get /api',
        kind: 'SERVER',
        timestamp: (FIXED_NOW - 1000) * 1000,
        duration: 2500,
        localEndpoint: { serviceName: 'frontend' },
        tags: { 'http.path': '/api', error: 'timeout' },
        annotations: [{ timestamp: (FIXED_NOW - 999) * 1000, value: 'ws' }],
      },
    ]);
    expect(res.status).toBe(202);
    const t = traceResponseSchema.parse(
      (await getJson(`${url}/api/v1/traces/0000000000000000463ac35c9f6413ad`)).body,
    );
    expect(t.trace.spans).toEqual([
      {
        traceId: '0000000000000000463ac35c9f6413ad',
        spanId: '72485a3953bb6124',
        name: 'get /api',
        service: 'frontend',
        kind: 'server',
        startMs: FIXED_NOW - 1000,
        durationMs: 2.5,
        status: { code: 'error', message: 'timeout' },
        attributes: { 'http.path': '/api', error: 'timeout' },
        events: [{ name: 'ws', timeMs: FIXED_NOW - 999, attributes: {} }],
      },
    ]);
  });

  it('rejects bad bodies, unknown media types (415), oversized bodies (413) and floods (429)', async () => {
    const { url } = await start({ ingest: { maxBodyBytes: 2048, ratePerSecond: 0.001, burst: 5 } });
    const notJson = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(notJson.status).toBe(400);
    expect(errorResponseSchema.parse(await notJson.json()).error.code).toBe('invalid_body');
    const envelope = await post(`${url}/v1/traces`, { spans: [] });
    expect(envelope.status).toBe(400);
    const text = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'spans',
    });
    expect(text.status).toBe(415);
    const big = await post(`${url}/v1/traces`, { resourceSpans: [], pad: 'x'.repeat(4096) });
    expect(big.status).toBe(413);
    expect(errorResponseSchema.parse(await big.json()).error.code).toBe('payload_too_large');
    // burst of 5 used up by the 4 requests above + this one; the next is limited
    expect((await post(`${url}/v1/traces`, { resourceSpans: [] })).status).toBe(200);
    const limited = await post(`${url}/v1/traces`, { resourceSpans: [] });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1000');
  });
});

describe('trace store', () => {
  it('evicts the oldest traces beyond the span bound', async () => {
    const { url, bff } = await start({ traceStoreOptions: { maxSpans: 4 } });
    const ids = ['01', '02', '03'].map((n) => n.repeat(16));
    for (const [i, id] of ids.entries()) {
      const spans = [
        { id: `${i + 1}`.repeat(16), name: 'root', startMs: FIXED_NOW - 10_000 + i, ms: 5 },
        {
          id: `${i + 4}`.repeat(16),
          parent: `${i + 1}`.repeat(16),
          name: 'child',
          startMs: FIXED_NOW - 10_000 + i,
          ms: 1,
        },
      ];
      expect((await post(`${url}/v1/traces`, otlpBody(id, spans))).status).toBe(200);
    }
    expect(bff.traces.size().spans).toBe(4);
    expect((await getJson(`${url}/api/v1/traces/${ids[0]}`)).status).toBe(404);
    expect((await getJson(`${url}/api/v1/traces/${ids[2]}`)).status).toBe(200);
    expect(bff.traces.evicted()).toBe(2);
  });

  it('evicts by bytes too', async () => {
    const { bff } = await start({ traceStoreOptions: { maxBytes: 1000 } });
    const span = (t: string, s: string) => ({
      traceId: t.repeat(32),
      spanId: s.repeat(16),
      name: 'x'.repeat(300),
      service: 'a',
      kind: 'server' as const,
      startMs: 1,
      durationMs: 1,
      status: { code: 'unset' as const },
      attributes: {},
      events: [],
    });
    bff.traces.add([span('1', '1'), span('2', '2'), span('3', '3')]);
    expect(bff.traces.size().traces).toBe(2);
    expect(bff.traces.get('1'.repeat(32))).toBeUndefined();
    expect(bff.traces.size().bytes).toBeLessThanOrEqual(1000);
  });

  it('searches by service, duration, errors, time and limit', async () => {
    const { url } = await start();
    await post(
      `${url}/v1/traces`,
      otlpBody(
        'a1'.repeat(16),
        [{ id: '1'.repeat(16), name: 'slow', startMs: FIXED_NOW - 3000, ms: 900 }],
        'web',
      ),
    );
    await post(
      `${url}/v1/traces`,
      otlpBody(
        'a2'.repeat(16),
        [{ id: '2'.repeat(16), name: 'err', startMs: FIXED_NOW - 2000, ms: 10, error: true }],
        'web',
      ),
    );
    await post(
      `${url}/v1/traces`,
      otlpBody(
        'a3'.repeat(16),
        [{ id: '3'.repeat(16), name: 'old', startMs: FIXED_NOW - 7_200_000, ms: 10 }],
        'db',
      ),
    );
    const ids = async (q: string) =>
      tracesResponseSchema
        .parse((await getJson(`${url}/api/v1/traces?${q}`)).body)
        .traces.map((t) => t.rootName);
    expect(await ids('')).toEqual(['err', 'slow', 'old']);
    expect(await ids('service=web')).toEqual(['err', 'slow']);
    expect(await ids('minDurationMs=500')).toEqual(['slow']);
    expect(await ids('error=true')).toEqual(['err']);
    expect(await ids('error=false&service=web')).toEqual(['slow']);
    expect(await ids('window=1h')).toEqual(['err', 'slow']);
    expect(await ids(`from=${FIXED_NOW - 8_000_000}&to=${FIXED_NOW - 7_000_000}`)).toEqual(['old']);
    expect(await ids('limit=1')).toEqual(['err']);
  });
});
