import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  errorResponseSchema,
  traceNamesResponseSchema,
  traceResponseSchema,
  tracesResponseSchema,
} from '@meshlens/contract';
import { createTempoSource, type TraceSource } from '@meshlens/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
import { createFixtureSource } from '../src/fixture/fixtureSource';
import { type Running, getJson, startBff } from './helpers';
import { type ReplayServer, type Reply, type Seen, startReplay, testdataDir } from './replayServer';

/*
 * The Tempo source against recorded Tempo answers (../shared/testdata/traces/tempo, Istio
 * Bookinfo recorded by Kiali): the local server checks the TraceQL and the units the BFF sent and
 * replies with the recorded body.
 */

const dir = testdataDir();
const tempo = (f: string) => readFileSync(path.join(dir ?? '', 'traces/tempo', f), 'utf8');

const BOOKINFO = '3ba55609c3cde49649cd77d1f9dcd936';
const FROM = 1701778000000;
const TO = 1701778100500;

let backend: ReplayServer | undefined;
let bff: Running | undefined;
let traceSource: TraceSource | undefined;
let tmp: string | undefined;
afterEach(async () => {
  await bff?.close();
  traceSource?.close();
  await backend?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  bff = backend = traceSource = tmp = undefined;
});

async function start(route: (req: Seen) => Reply, opts: { tenant?: string; token?: string } = {}) {
  backend = await startReplay(route);
  let bearerTokenFile: string | undefined;
  if (opts.token !== undefined) {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'meshlens-tempo-'));
    bearerTokenFile = path.join(tmp, 'token');
    writeFileSync(bearerTokenFile, `${opts.token}\n`);
  }
  traceSource = createTempoSource({
    url: backend.url,
    ...(opts.tenant ? { tenant: opts.tenant } : {}),
    ...(bearerTokenFile ? { bearerTokenFile } : {}),
  });
  bff = await startBff({ source: createFixtureSource({ tickIntervalMs: 0 }), traceSource });
  return bff.url;
}

describe.runIf(dir)('tempo trace source (recorded responses)', () => {
  it('builds TraceQL from the filters (values escaped), seconds, and maps the search hit', async () => {
    const url = await start((req) => {
      expect(req.path).toBe('/api/search');
      expect(Object.fromEntries(req.query.entries())).toEqual({
        q:
          '{ resource.service.name = "productpage.bookinfo" && ' +
          'name = "productpage.bookinfo.svc.cluster.local:9080/productpage" && ' +
          '.http.status_code = 200 && ."x\\"} || {true" = "a\\"b\\\\\\n" && ' +
          'traceDuration >= 5000us && traceDuration <= 60000000us }',
        start: '1701778000', // seconds
        end: '1701778101',
        limit: '20',
      });
      return { body: tempo('kiali-response.json') };
    });
    const q = new URLSearchParams({
      service: 'productpage.bookinfo',
      operation: 'productpage.bookinfo.svc.cluster.local:9080/productpage',
      // a hostile key and value must stay inside their string literals
      tags: JSON.stringify({ 'http.status_code': '200', 'x"} || {true': 'a"b\\\n' }),
      minDurationMs: '5',
      maxDurationMs: '60000',
      from: String(FROM),
      to: String(TO),
    });
    const { status, body } = await getJson(`${url}/api/v1/traces?${q.toString()}`);
    expect({ status, body: status === 200 ? 'ok' : body }).toEqual({ status: 200, body: 'ok' });
    expect(tracesResponseSchema.parse(body).traces).toEqual([
      {
        traceId: '100cb753c787ed5657c8d88dafc176ed',
        rootService: 'istio-ingressgateway.istio-system',
        rootName: 'productpage.bookinfo.svc.cluster.local:9080/productpage',
        startMs: 1701778055570.888,
        durationMs: 9,
        // this Tempo predates serviceStats: span count from `matched`, services from the spans
        spanCount: 6,
        services: ['istio-ingressgateway.istio-system', 'reviews.bookinfo'],
        errorCount: 0,
      },
    ]);
  });

  it('asks for errors in TraceQL and drops hits whose spans carry none', async () => {
    const url = await start((req) => {
      expect(req.query.get('q')).toBe(
        '{ (status = error || span.http.status_code >= 500 || span.http.response.status_code >= 500) }',
      );
      return { body: tempo('kiali-response.json') };
    });
    const all = await getJson(`${url}/api/v1/traces?error=true&from=${FROM}&to=${TO}`);
    // the recorded spans carry no error: the hit is dropped rather than listed as failing
    expect(tracesResponseSchema.parse(all.body).traces).toEqual([]);
    expect(backend?.seen).toHaveLength(1);
  });

  it('lists the padded id of a hit printed without leading zeros', async () => {
    const recorded = tempo('kiali-response.json').replace(
      '"100cb753c787ed5657c8d88dafc176ed"',
      '"cb753c787ed5657c8d88dafc176ed"',
    );
    const url = await start(() => ({ body: recorded }));
    const r = tracesResponseSchema.parse(
      (await getJson(`${url}/api/v1/traces?from=${FROM}&to=${TO}`)).body,
    );
    expect(r.traces.map((t) => t.traceId)).toEqual(['000cb753c787ed5657c8d88dafc176ed']);
  });

  it('returns every span of a base64 trace (v2 404 -> v1), with service, parent, kind, timing', async () => {
    const url = await start((req) => {
      if (req.path === `/api/v2/traces/${BOOKINFO}`)
        return { status: 404, body: '404 page not found' };
      expect(req.path).toBe(`/api/traces/${BOOKINFO}`);
      return { body: tempo('kiali-responseTrace.json') };
    });
    const { status, body } = await getJson(`${url}/api/v1/traces/${BOOKINFO}`);
    expect(status).toBe(200);
    const t = traceResponseSchema.parse(body);
    expect(
      t.trace.spans.map((s) => [
        s.spanId,
        s.parentSpanId,
        s.service,
        s.kind,
        s.startMs,
        s.durationMs,
      ]),
    ).toEqual([
      [
        '49cd77d1f9dcd936',
        undefined,
        'istio-ingressgateway.istio-system',
        'client',
        1701779876570.888,
        11.932,
      ],
      [
        '84756b1dab0856fa',
        '49cd77d1f9dcd936',
        'productpage.bookinfo',
        'server',
        1701779876571.116,
        11.439,
      ],
      [
        'e9c8fd1deb3e88dd',
        '84756b1dab0856fa',
        'productpage.bookinfo',
        'client',
        1701779876574.298,
        1.334,
      ],
      [
        'd23de5feae19a76d',
        'e9c8fd1deb3e88dd',
        'details.bookinfo',
        'server',
        1701779876574.533,
        0.905,
      ],
      [
        '1210042c36f8be92',
        '84756b1dab0856fa',
        'productpage.bookinfo',
        'client',
        1701779876578.223,
        2.724,
      ],
      [
        '77191048cb7dadc4',
        '1210042c36f8be92',
        'reviews.bookinfo',
        'server',
        1701779876578.458,
        2.242,
      ],
      [
        '7c597bf56ddf1a03',
        '77191048cb7dadc4',
        'reviews.bookinfo',
        'client',
        1701779876579.477,
        0.85,
      ],
      [
        'e9d3d5f02056e0bc',
        '7c597bf56ddf1a03',
        'ratings.bookinfo',
        'server',
        1701779876579.664,
        0.434,
      ],
    ]);
    expect(t.summary).toEqual({
      traceId: BOOKINFO,
      rootService: 'istio-ingressgateway.istio-system',
      rootName: 'productpage.bookinfo.svc.cluster.local:9080/productpage',
      startMs: 1701779876570.888,
      durationMs: 11.932,
      spanCount: 8,
      services: [
        'details.bookinfo',
        'istio-ingressgateway.istio-system',
        'productpage.bookinfo',
        'ratings.bookinfo',
        'reviews.bookinfo',
      ],
      errorCount: 0,
    });
    expect(t.trace.spans[1]?.attributes['istio.canonical_service']).toBe('productpage');
    expect(t.trace.spans[1]?.resource?.['service.name']).toBe('productpage.bookinfo');
  });

  it('reads /api/v2/traces (hex upper-case ids, numeric kind) and sends tenant and token', async () => {
    const id = '5b8efff798038103d269b633813fc60c';
    const url = await start(
      (req) => {
        expect(req.headers['x-scope-orgid']).toBe('team-a');
        expect(req.headers.authorization).toBe('Bearer s3cret');
        expect(req.path).toBe(`/api/v2/traces/${id}`);
        return { body: `{"trace":${tempo('tempopb-trace.json')}}` };
      },
      { tenant: 'team-a', token: 's3cret' },
    );
    const t = traceResponseSchema.parse(
      (await getJson(`${url}/api/v1/traces/${id.toUpperCase()}`)).body,
    );
    expect(t.trace.spans).toEqual([
      {
        traceId: id,
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

  it('lists services and operations from tag values, and names 401 and unknown traces', async () => {
    // no recorded tag-values answer exists (see the testdata SOURCES.md): Tempo's documented v2 shape
    const url = await start((req) => {
      if (req.path === '/api/v2/search/tag/resource.service.name/values')
        return {
          body: '{"tagValues":[{"type":"string","value":"reviews.bookinfo"},{"type":"string","value":"details.bookinfo"}]}',
        };
      if (req.path === '/api/v2/search/tag/name/values') {
        expect(req.query.get('q')).toBe('{ resource.service.name = "reviews.bookinfo" }');
        return {
          body: '{"tagValues":[{"type":"string","value":"reviews.bookinfo.svc.cluster.local:9080/*"}]}',
        };
      }
      if (req.path.endsWith('/ffffffffffffffffffffffffffffffff'))
        return { status: 404, body: 'trace not found' };
      return { status: 401, body: 'no org id' };
    });
    const services = traceNamesResponseSchema.parse(
      (await getJson(`${url}/api/v1/traces/services`)).body,
    );
    expect(services.names).toEqual(['details.bookinfo', 'reviews.bookinfo']);
    const ops = traceNamesResponseSchema.parse(
      (await getJson(`${url}/api/v1/traces/services/reviews.bookinfo/operations`)).body,
    );
    expect(ops.names).toEqual(['reviews.bookinfo.svc.cluster.local:9080/*']);
    const missing = await getJson(`${url}/api/v1/traces/${'f'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(errorResponseSchema.parse(missing.body).error.message).toBe(
      `trace ${'f'.repeat(32)} not found in tempo`,
    );
    const denied = await getJson(`${url}/api/v1/traces?service=x`);
    expect(denied.status).toBe(502);
    expect(errorResponseSchema.parse(denied.body).error).toEqual({
      code: 'backend_error',
      message: `tempo at ${backend?.url}: 401 Unauthorized: no org id`,
    });
  });
});
