import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { parseExposition } from '@meshlens/prom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startUpstream, type Upstream } from './helpers';
import { startMeshProxy, type MeshProxy } from './meshProxy';
import { createTestCa } from './testCa';

async function metric(admin: number, name: string, match: Record<string, string>) {
  const text = (await request(admin, { path: '/metrics' })).body;
  let total = 0;
  for (const f of parseExposition(text)) {
    for (const s of f.samples) {
      if (s.name !== name) continue;
      if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) total += s.value;
    }
  }
  return total;
}

/** One request on its own TCP connection (no agent): N of these are N client connections. */
function ownConnection(port: number, host: string, path: string, body?: string) {
  return new Promise<{ status: number; body: string; version: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: body === undefined ? 'GET' : 'POST', agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            version: String(res.headers['x-seen-version']),
          }),
        );
      },
    );
    req.setHeader('host', host);
    req.on('error', reject);
    req.end(body);
  });
}

const N = 20;
let app: Upstream;
let legacy: https.Server;
let reviews: MeshProxy;
let web: MeshProxy;
let arrived = 0;
let release: () => void = () => undefined;
const allArrived = new Promise<void>((r) => (release = r));

beforeAll(async () => {
  const ca = await createTestCa();
  // The app answers only once all N requests are in flight at once (or after 20 s): they
  // can only all arrive if one connection carried them concurrently.
  app = await startUpstream((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === `/held` && ++arrived === N) release();
      const answer = () => {
        res.setHeader('x-seen-version', req.httpVersion);
        res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`);
      };
      if (req.url === '/held') void Promise.race([allArrived, delay(20_000)]).then(answer);
      else answer();
    });
  });
  reviews = await startMeshProxy({
    service: 'reviews',
    serviceAccount: 'reviews',
    config: '',
    appPort: app.port,
    identity: await ca.identity('shop', 'reviews'),
  });
  // A peer with a mesh identity that speaks only HTTP/1.1 (an older proxy): no ALPN h2.
  const legacyId = await ca.identity('shop', 'legacy');
  const m = legacyId.current();
  legacy = https.createServer(
    { key: m.keyPem, cert: m.certPem, ca: m.caPem, requestCert: true, minVersion: 'TLSv1.3' },
    (req, res) =>
      res.end(
        `legacy saw HTTP/${req.httpVersion} alpn=${String((req.socket as TLSSocket).alpnProtocol)}`,
      ),
  );
  await new Promise<void>((r) => legacy.listen(0, '127.0.0.1', r));
  const ep = (service: string, port: number) => ({
    namespace: 'shop',
    service,
    workload: service,
    pod: `${service}-0`,
    address: '127.0.0.1',
    port,
    serviceAccount: service,
  });
  web = await startMeshProxy({
    service: 'web',
    serviceAccount: 'web',
    config: '',
    endpoints: [
      ep('reviews', reviews.inbound),
      ep('legacy', (legacy.address() as AddressInfo).port),
    ],
    identity: await ca.identity('shop', 'web'),
  });
});

afterAll(async () => {
  await web?.stop();
  await reviews?.stop();
  legacy?.closeAllConnections();
  await new Promise<void>((r) => (legacy === undefined ? r() : legacy.close(() => r())));
  await app?.close();
});

describe('HTTP/2 between proxies', () => {
  it('multiplexes HTTP/1.1 clients on separate connections over one h2 session', async () => {
    const replies = await Promise.all(
      Array.from({ length: N }, () => ownConnection(web.outbound, 'reviews.shop', '/held')),
    );
    expect(replies.map((r) => r.status)).toEqual(Array<number>(N).fill(200));
    expect(arrived).toBe(N);
    // The app still gets HTTP/1.1 from its own proxy.
    expect(new Set(replies.map((r) => r.version))).toEqual(new Set(['1.1']));
    expect(
      await metric(web.admin, 'meshlens_proxy_h2_sessions_total', { direction: 'outbound' }),
    ).toBe(1);
    expect(
      await metric(web.admin, 'meshlens_proxy_h2_streams_total', { direction: 'outbound' }),
    ).toBe(N);
    // One mTLS connection from web's proxy to reviews' proxy, N client connections into it.
    expect(
      await metric(web.admin, 'tcp_open_total', {
        direction: 'outbound',
        peer: 'dst',
        tls: 'true',
      }),
    ).toBe(1);
    expect(
      await metric(web.admin, 'tcp_open_total', { direction: 'outbound', peer: 'src' }),
    ).toBeGreaterThanOrEqual(N);
    expect(
      await metric(reviews.admin, 'tcp_open_total', {
        direction: 'inbound',
        peer: 'src',
        tls: 'true',
      }),
    ).toBe(1);
    // Each stream is authorized as the caller's verified identity.
    expect(
      await metric(reviews.admin, 'response_total', {
        direction: 'inbound',
        client_id: 'spiffe://cluster.local/ns/shop/sa/web',
        status_code: '200',
      }),
    ).toBe(N);
  });

  it('streams a request body over the h2 hop', async () => {
    const reply = await ownConnection(web.outbound, 'reviews.shop', '/orders', 'two apples');
    expect(reply).toMatchObject({ status: 200, body: 'POST /orders two apples' });
  });

  it('falls back to HTTP/1.1 for a peer that does not offer h2', async () => {
    const before = await metric(web.admin, 'meshlens_proxy_h2_sessions_total', {});
    const first = await request(web.outbound, { host: 'legacy.shop', path: '/x' });
    const second = await request(web.outbound, { host: 'legacy.shop', path: '/y' });
    expect([first.status, first.body]).toEqual([200, 'legacy saw HTTP/1.1 alpn=false']);
    expect([second.status, second.body]).toEqual([200, 'legacy saw HTTP/1.1 alpn=false']);
    expect(await metric(web.admin, 'meshlens_proxy_h2_sessions_total', {})).toBe(before);
  });

  it('accepts h2c with prior knowledge from the app on the outbound listener', async () => {
    const session = http2.connect(`http://127.0.0.1:${web.outbound}`);
    try {
      const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const stream = session.request({ ':path': '/plain', ':authority': 'reviews.shop' });
        let status = 0;
        const chunks: Buffer[] = [];
        stream.on('response', (h) => (status = Number(h[':status'])));
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString() }));
        stream.on('error', reject);
      });
      expect(reply).toEqual({ status: 200, body: 'GET /plain ' });
    } finally {
      session.close();
    }
  });
});

describe('--app-protocol h2c', () => {
  it('sends plain HTTP/1.1 calls to the app as h2c, trailers and all', async () => {
    const h2app = http2.createServer((req, res) => {
      res.addTrailers({ 'x-checksum': 'abc' });
      res.end(`app saw HTTP/${req.httpVersion} ${req.method} ${req.url}`);
    });
    await new Promise<void>((r) => h2app.listen(0, '127.0.0.1', r));
    const proxy = await startMeshProxy({
      service: 'h2app',
      config: '',
      appPort: (h2app.address() as AddressInfo).port,
      args: ['--app-protocol', 'h2c'],
    });
    try {
      const reply = await new Promise<{ body: string; trailers: unknown }>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: proxy.inbound, path: '/q?x=1', agent: false },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ body: Buffer.concat(chunks).toString(), trailers: res.trailers }),
            );
          },
        );
        req.setHeader('host', 'h2app.shop');
        req.on('error', reject);
        req.end();
      });
      expect(reply).toEqual({
        body: 'app saw HTTP/2.0 GET /q?x=1',
        trailers: { 'x-checksum': 'abc' },
      });
      expect(
        await metric(proxy.admin, 'meshlens_proxy_h2_streams_total', { direction: 'inbound' }),
      ).toBe(1);
    } finally {
      await proxy.stop();
      await new Promise<void>((r) => h2app.close(() => r()));
    }
  });
});

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
