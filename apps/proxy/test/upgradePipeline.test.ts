import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { parseExposition } from '@meshlens/prom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, waitFor } from './helpers';
import { startMeshProxy, type MeshProxy } from './meshProxy';
import { rawExchange, startRawApp, type RawApp } from './rawHttp';

/**
 * An Upgrade (WebSocket) request takes the same steps as any request: route matching and header
 * modification, faults, the timeout until response headers, metrics and a span. Only the last
 * step differs: the tunnel is spliced instead of a response relayed.
 */
const CONFIG = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: reviews, namespace: shop }
spec:
  parentRefs: [{ name: reviews }]
  rules:
    - name: ws
      matches: [{ path: { type: PathPrefix, value: /ws } }]
      filters:
        - type: RequestHeaderModifier
          requestHeaderModifier: { set: [{ name: x-route, value: ws }] }
    - name: broken
      matches: [{ path: { type: PathPrefix, value: /broken } }]
    - name: slow
      matches: [{ path: { type: PathPrefix, value: /slow } }]
      backendRefs: [{ name: stall }]
      timeouts: { request: 300ms }
---
apiVersion: meshlens.io/v1alpha1
kind: FaultPolicy
metadata: { name: reviews-broken, namespace: shop }
spec:
  targetRef: { kind: HTTPRoute, name: reviews, sectionName: broken }
  abort: { httpStatus: 503, percentage: 100 }
`;
const WS = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `traceparent: 00-${TRACE_ID}-00f067aa0ba902b7-01\r\n`;

interface OtlpSpan {
  traceId: string;
  kind: number;
  attributes: { key: string; value: { intValue?: string | number; stringValue?: string } }[];
}

let app: RawApp;
let stall: net.Server;
let stallPort = 0;
const stallSockets = new Set<net.Socket>();
let collector: http.Server;
const spans: OtlpSpan[] = [];
let web: MeshProxy;
let reviews: MeshProxy;

beforeAll(async () => {
  app = await startRawApp();
  // Accepts connections and never answers: only a timeout ends a request to it.
  stall = net.createServer((s) => {
    stallSockets.add(s);
    s.on('error', () => s.destroy());
  });
  await new Promise<void>((r) => stall.listen(0, '127.0.0.1', r));
  stallPort = (stall.address() as AddressInfo).port;
  collector = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const doc = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  const collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`;
  reviews = await startMeshProxy({
    service: 'reviews',
    config: CONFIG,
    appPort: app.port,
    traceCollectorUrl: collectorUrl,
    args: ['--default-timeout-ms', '300'],
  });
  web = await startMeshProxy({
    service: 'web',
    config: CONFIG,
    traceCollectorUrl: collectorUrl,
    endpoints: [
      { namespace: 'shop', service: 'reviews', address: '127.0.0.1', port: reviews.inbound },
      { namespace: 'shop', service: 'stall', address: '127.0.0.1', port: stallPort },
    ],
  });
});

afterAll(async () => {
  await web?.stop();
  await reviews?.stop();
  await app?.close();
  for (const s of stallSockets) s.destroy();
  await new Promise<void>((r) => (stall ? stall.close(() => r()) : r()));
  collector?.closeAllConnections();
  await new Promise<void>((r) => (collector ? collector.close(() => r()) : r()));
});

async function series(
  port: number,
  name: string,
): Promise<{ labels: Record<string, string>; value: number }[]> {
  const text = (await request(port, { path: '/metrics' })).body;
  return parseExposition(text)
    .flatMap((f) => f.samples)
    .filter((s) => s.name === name)
    .map((s) => ({ labels: s.labels, value: s.value }));
}

describe('WebSocket through outbound and inbound: one pipeline', () => {
  it('applies the matched route (header modifier) and tunnels both ways', async () => {
    const before = app.received().length;
    const payload = 'x'.repeat(3000);
    const x = await rawExchange(
      web.outbound,
      `GET /ws/chat HTTP/1.1\r\nHost: reviews.shop\r\n${WS}\r\n`,
      { afterUpgrade: payload },
    );
    expect(x.responses.map((r) => r.status)).toEqual([101]);
    expect(x.rest).toBe(payload);
    const got = app.received().slice(before);
    expect(got).toMatch(/^GET \/ws\/chat HTTP\/1\.1\r\n/);
    expect(got).toMatch(/\r\nx-route: ws\r\n/i);
    expect(got.endsWith(payload)).toBe(true);
  });

  it('counts the 101 in request_total/response_total and the tunnel bytes in tcp_*', async () => {
    type Filter = (l: Record<string, string>) => boolean;
    const sum = async (port: number, name: string, f: Filter) =>
      (await series(port, name)).filter((s) => f(s.labels)).reduce((n, s) => n + s.value, 0);
    const sides = [
      { proxy: web, direction: 'outbound' },
      { proxy: reviews, direction: 'inbound' },
    ] as const;
    const is101 =
      (d: string): Filter =>
      (l) =>
        l.direction === d && l.status_code === '101';
    const isDir =
      (d: string): Filter =>
      (l) =>
        l.direction === d;
    const toDst =
      (d: string): Filter =>
      (l) =>
        l.direction === d && l.peer === 'dst';
    const before = await Promise.all(
      sides.map(async ({ proxy, direction: d }) => ({
        responses: await sum(proxy.admin, 'response_total', is101(d)),
        requests: await sum(proxy.admin, 'request_total', isDir(d)),
        written: await sum(proxy.admin, 'tcp_write_bytes_total', toDst(d)),
      })),
    );
    const payload = 'y'.repeat(5000);
    const x = await rawExchange(
      web.outbound,
      `GET /ws/metrics HTTP/1.1\r\nHost: reviews.shop\r\n${WS}\r\n`,
      { afterUpgrade: payload },
    );
    expect(x.rest).toBe(payload);
    for (const [i, { proxy, direction: d }] of sides.entries()) {
      const was = before[i]!;
      // Counted when the 101 went out, not when the tunnel closes.
      const responses = await waitFor(async () => {
        const r = (await series(proxy.admin, 'response_total')).filter((s) => is101(d)(s.labels));
        const n = r.reduce((a, s) => a + s.value, 0);
        return n > was.responses ? r : undefined;
      });
      expect(responses.map((s) => [s.labels.classification, s.labels.error])).toEqual([
        ['success', undefined],
      ]);
      expect(responses.reduce((a, s) => a + s.value, 0)).toBe(was.responses + 1);
      expect(await sum(proxy.admin, 'request_total', isDir(d))).toBe(was.requests + 1);
      if (d === 'outbound') expect(responses[0]?.labels.dst_service).toBe('reviews');
      // Bytes written to the upstream (peer="dst") include the whole tunnel payload.
      const written = await waitFor(
        async () => {
          const w = await sum(proxy.admin, 'tcp_write_bytes_total', toDst(d));
          return w - was.written >= payload.length ? w : undefined;
        },
        15_000,
        `${d} tcp_write_bytes_total to cover the tunnel`,
      );
      expect(written - was.written).toBeGreaterThanOrEqual(payload.length);
    }
  });

  it('records a client and a server span with status 101', async () => {
    const x = await rawExchange(
      web.outbound,
      `GET /ws/traced HTTP/1.1\r\nHost: reviews.shop\r\n${TRACEPARENT}${WS}\r\n`,
      { afterUpgrade: 'z' },
    );
    expect(x.responses.map((r) => r.status)).toEqual([101]);
    const traced = await waitFor(
      () => {
        const mine = spans.filter((s) => s.traceId === TRACE_ID);
        return mine.length >= 2 ? mine : undefined;
      },
      15_000,
      'a client and a server span',
    );
    const statusOf = (s: OtlpSpan) =>
      Number(s.attributes.find((a) => a.key === 'http.response.status_code')?.value.intValue);
    // OTLP kinds: 2 server (inbound), 3 client (outbound).
    expect(traced.map((s) => [s.kind, statusOf(s)]).sort()).toEqual([
      [2, 101],
      [3, 101],
    ]);
  });

  it('injects the route fault: 503 fault-injected, nothing reaches the app', async () => {
    const before = app.received().length;
    const x = await rawExchange(
      web.outbound,
      `GET /broken HTTP/1.1\r\nHost: reviews.shop\r\n${WS}\r\n`,
      { responses: 1 },
    );
    expect(x.responses.map((r) => [r.status, r.headers['x-meshlens-proxy-error']])).toEqual([
      [503, 'fault-injected'],
    ]);
    expect(app.received().slice(before)).toBe('');
    const failed = (await series(web.admin, 'response_total')).filter(
      (s) => s.labels.error === 'fault-injected',
    );
    expect(failed.map((s) => [s.labels.status_code, s.value])).toEqual([['503', 1]]);
  });

  it('times out an upgrade the upstream never answers: 504 on outbound (route) and inbound (default)', async () => {
    const out = await rawExchange(
      web.outbound,
      `GET /slow HTTP/1.1\r\nHost: reviews.shop\r\n${WS}\r\n`,
      { responses: 1 },
    );
    expect(out.responses.map((r) => [r.status, r.headers['x-meshlens-proxy-error']])).toEqual([
      [504, 'timeout'],
    ]);
    // reviews' app port points at a server that never answers for this one.
    const stalled = await startMeshProxy({
      service: 'reviews',
      config: CONFIG,
      appPort: stallPort,
      args: ['--default-timeout-ms', '300'],
    });
    try {
      const inb = await rawExchange(
        stalled.inbound,
        `GET /ws HTTP/1.1\r\nHost: reviews.shop\r\n${WS}\r\n`,
        { responses: 1 },
      );
      expect(inb.responses.map((r) => [r.status, r.headers['x-meshlens-proxy-error']])).toEqual([
        [504, 'timeout'],
      ]);
    } finally {
      await stalled.stop();
    }
  });

  it('relays an app that declines the upgrade as an ordinary response, then closes', async () => {
    const before = app.received().length;
    const x = await rawExchange(
      web.outbound,
      `GET /ws HTTP/1.1\r\nHost: reviews.shop\r\nConnection: Upgrade\r\nUpgrade: foo/1\r\n\r\n`,
    );
    expect(x.responses.map((r) => [r.status, r.body])).toEqual([[200, 'ok']]);
    expect(x.closed).toBe(true);
    expect(app.received().slice(before)).toMatch(
      /^GET \/ws HTTP\/1\.1\r\n[\s\S]*\r\nupgrade: foo\/1\r\n/i,
    );
  });
});
