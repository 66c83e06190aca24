import http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMeshProxy, type MeshProxy } from './meshProxy';
import { rawExchange, startRawApp, type RawApp, type RawExchange } from './rawHttp';
import { createTestCa, type TestIdentity } from './testCa';

/**
 * Every way a request can enter a listener, each checked against a mesh-wide default deny
 * (plaintext), strict mTLS (plaintext and a denied identity), and through the caller's own
 * outbound proxy. The app is a raw socket: "nothing reached the app" is asserted on its bytes.
 */
const WS = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n';
const H = 'Host: payments.shop\r\n';
const ENTRY = {
  plain: `GET /charges HTTP/1.1\r\n${H}\r\n`,
  websocket: `GET /charges HTTP/1.1\r\n${H}${WS}\r\n`,
  'websocket over HTTP/1.0': `GET /charges HTTP/1.0\r\n${H}${WS}\r\n`,
  'upgrade h2c': `GET /charges HTTP/1.1\r\n${H}Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n`,
  'absolute-form': `GET http://payments.shop/charges HTTP/1.1\r\n${H}\r\n`,
  'absolute-form websocket': `GET http://payments.shop/charges HTTP/1.1\r\n${H}${WS}\r\n`,
  'Expect: 100-continue (body withheld)': `POST /charges HTTP/1.1\r\n${H}Content-Length: 5\r\nExpect: 100-continue\r\n\r\n`,
  'HTTP/1.0': `GET /charges HTTP/1.0\r\n${H}\r\n`,
  'pipelined plain then websocket': `GET /a HTTP/1.1\r\n${H}\r\nGET /charges HTTP/1.1\r\n${H}${WS}\r\n`,
  CONNECT: `CONNECT payments.shop:80 HTTP/1.1\r\nHost: payments.shop:80\r\n\r\n`,
  'asterisk-form': `OPTIONS * HTTP/1.1\r\n${H}\r\n`,
  'HTTP/2 prior-knowledge preface': 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
} as const;
type Entry = keyof typeof ENTRY;

const MESH_DENY = `
apiVersion: meshlens.io/v1alpha1
kind: MeshPolicy
metadata: { name: default }
spec: { defaultAuthorization: deny }
`;
const PAYMENTS_CALLERS = `${MESH_DENY}---
apiVersion: meshlens.io/v1alpha1
kind: AuthorizationPolicy
metadata: { name: payments-callers, namespace: shop }
spec:
  targetRef: { kind: Service, name: payments }
  from:
    - serviceAccounts: [frontend]
`;

/** Expected statuses and proxy-error reasons at the payments inbound for a denied caller. */
function inboundRefusal(entry: Entry): { statuses: number[]; reason: RegExp } {
  switch (entry) {
    case 'CONNECT':
      return { statuses: [405], reason: /^connect-not-supported$/ };
    case 'HTTP/2 prior-knowledge preface':
      // Node's parser refuses it; the proxy does not speak HTTP/2.
      return { statuses: [400], reason: /^malformed-request$/ };
    case 'absolute-form':
    case 'absolute-form websocket':
    case 'asterisk-form':
      // Proxies send origin-form to a peer's inbound; anything else is not ours to interpret.
      return { statuses: [400], reason: /^invalid-request-target$/ };
    case 'pipelined plain then websocket':
      return { statuses: [403, 403], reason: /^forbidden: / };
    default:
      return { statuses: [403], reason: /^forbidden: / };
  }
}

function summary(x: RawExchange): { statuses: number[]; reasons: string[] } {
  return {
    statuses: x.responses.map((r) => r.status),
    reasons: x.responses.map((r) => r.headers['x-meshlens-proxy-error'] ?? ''),
  };
}

let app: RawApp;
let reviewsApp: RawApp;
let scraperId: TestIdentity;
let frontendId: TestIdentity;
let denyOnly: MeshProxy;
let payments: MeshProxy;
let scraper: MeshProxy;
let frontend: MeshProxy;
const proxies: MeshProxy[] = [];

beforeAll(async () => {
  const ca = await createTestCa();
  app = await startRawApp();
  reviewsApp = await startRawApp();
  scraperId = await ca.identity('shop', 'scraper');
  frontendId = await ca.identity('shop', 'frontend');
  // The second case: a proxy alone, default deny, no TLS.
  denyOnly = await startMeshProxy({ service: 'payments', config: MESH_DENY, appPort: app.port });
  proxies.push(denyOnly);
  payments = await startMeshProxy({
    service: 'payments',
    serviceAccount: 'payments',
    config: PAYMENTS_CALLERS,
    appPort: app.port,
    identity: await ca.identity('shop', 'payments'),
    tlsMode: 'strict',
  });
  proxies.push(payments);
  // The first case: the scraper bot calls through its own proxy.
  scraper = await startMeshProxy({
    service: 'scraper',
    serviceAccount: 'scraper',
    config: PAYMENTS_CALLERS,
    identity: scraperId,
    tlsMode: 'permissive',
    endpoints: [
      {
        namespace: 'shop',
        service: 'payments',
        serviceAccount: 'payments',
        address: '127.0.0.1',
        port: payments.inbound,
      },
      { namespace: 'shop', service: 'reviews', address: '127.0.0.1', port: reviewsApp.port },
    ],
  });
  proxies.push(scraper);
  frontend = await startMeshProxy({
    service: 'frontend',
    serviceAccount: 'frontend',
    config: PAYMENTS_CALLERS,
    identity: frontendId,
    tlsMode: 'permissive',
    endpoints: [
      {
        namespace: 'shop',
        service: 'payments',
        serviceAccount: 'payments',
        address: '127.0.0.1',
        port: payments.inbound,
      },
    ],
  });
  proxies.push(frontend);
});

afterAll(async () => {
  for (const p of proxies) await p.stop();
  await app?.close();
  await reviewsApp?.close();
});

/** Runs one exchange and returns it with the bytes the app received meanwhile. */
async function exchange(
  port: number,
  bytes: string,
  opts: Parameters<typeof rawExchange>[2] = {},
): Promise<{ x: RawExchange; appGot: string }> {
  const before = app.received().length;
  const x = await rawExchange(port, bytes, opts);
  return { x, appGot: app.received().slice(before) };
}

const entries = Object.keys(ENTRY) as Entry[];

describe('inbound with MeshPolicy defaultAuthorization: deny (tls disabled)', () => {
  it.each(entries)('%s: refused, nothing reaches the app', async (entry) => {
    const want = inboundRefusal(entry);
    const { x, appGot } = await exchange(denyOnly.inbound, ENTRY[entry], {
      responses: want.statuses.length,
    });
    const got = summary(x);
    expect(got.statuses).toEqual(want.statuses);
    for (const r of got.reasons) expect(r).toMatch(want.reason);
    expect(appGot).toBe('');
  });
});

describe('inbound in strict mTLS mode', () => {
  it.each(entries)('%s in plaintext: 403 tls-required, nothing reaches the app', async (entry) => {
    const { x, appGot } = await exchange(payments.inbound, ENTRY[entry], { responses: 1 });
    expect(summary(x)).toEqual({ statuses: [403], reasons: ['tls-required'] });
    expect(appGot).toBe('');
  });

  it.each(entries)(
    '%s over mTLS from a denied identity: refused, nothing reaches the app',
    async (entry) => {
      const want = inboundRefusal(entry);
      const { x, appGot } = await exchange(payments.inbound, ENTRY[entry], {
        tls: scraperId.current(),
        responses: want.statuses.length,
      });
      const got = summary(x);
      expect(got.statuses).toEqual(want.statuses);
      for (const r of got.reasons) expect(r).toMatch(want.reason);
      if (inboundRefusal(entry).statuses[0] === 403) {
        expect(got.reasons[0]).toContain(
          'spiffe://cluster.local/ns/shop/sa/scraper is not allowed by AuthorizationPolicy shop/payments-callers',
        );
      }
      expect(appGot).toBe('');
    },
  );

  it('lets the allowed identity through, plain and WebSocket (the tests above can pass only by refusing)', async () => {
    const plain = await exchange(payments.inbound, ENTRY.plain, {
      tls: frontendId.current(),
      responses: 1,
    });
    expect(summary(plain.x).statuses).toEqual([200]);
    expect(plain.appGot).toMatch(/^GET \/charges HTTP\/1\.1\r\n/);
    const ws = await exchange(payments.inbound, ENTRY.websocket, {
      tls: frontendId.current(),
      afterUpgrade: 'ping',
    });
    expect(summary(ws.x).statuses).toEqual([101]);
    expect(ws.x.rest).toBe('ping');
    expect(ws.appGot).toMatch(/^GET \/charges HTTP\/1\.1\r\n[\s\S]*\r\n\r\nping$/);
    // h2c is served as the plain request it also is: no Upgrade reaches the app.
    const h2c = await exchange(payments.inbound, ENTRY['upgrade h2c'], {
      tls: frontendId.current(),
    });
    expect(summary(h2c.x).statuses).toEqual([200]);
    expect(h2c.x.closed).toBe(true);
    expect(h2c.appGot).toMatch(/^GET \/charges HTTP\/1\.1\r\n/);
    expect(h2c.appGot).not.toMatch(/upgrade|http2-settings/i);
    // Pipelined: the upgrade waits for the first answer, then becomes a tunnel.
    const piped = await exchange(payments.inbound, ENTRY['pipelined plain then websocket'], {
      tls: frontendId.current(),
      afterUpgrade: 'pong',
    });
    expect(summary(piped.x).statuses).toEqual([200, 101]);
    expect(piped.x.rest).toBe('pong');
    expect(piped.appGot).toMatch(/^GET \/a HTTP\/1\.1\r\n[\s\S]*GET \/charges HTTP\/1\.1\r\n/);
    // CONNECT is refused whoever asks.
    const connect = await exchange(payments.inbound, ENTRY.CONNECT, {
      tls: frontendId.current(),
    });
    expect(summary(connect.x)).toEqual({ statuses: [405], reasons: ['connect-not-supported'] });
    expect(connect.appGot).toBe('');
  });

  it('carries an allowed WebSocket between proxies over mTLS', async () => {
    const { x, appGot } = await exchange(frontend.outbound, ENTRY.websocket, {
      afterUpgrade: 'hello',
    });
    expect(summary(x).statuses).toEqual([101]);
    expect(x.rest).toBe('hello');
    expect(appGot).toMatch(/^GET \/charges HTTP\/1\.1\r\n[\s\S]*\r\n\r\nhello$/);
  });
});

describe("through the denied caller's own outbound proxy (mTLS to a strict, policed inbound)", () => {
  /** What the scraper's app sees: the payments inbound's refusal relayed, or the outbound's own. */
  function outboundRefusal(entry: Entry): { statuses: number[]; reason: RegExp } {
    if (entry === 'CONNECT') return { statuses: [405], reason: /^connect-not-supported$/ };
    // The outbound cannot tell which service "*" names.
    if (entry === 'asterisk-form') return { statuses: [400], reason: /^invalid-authority$/ };
    if (entry === 'pipelined plain then websocket')
      return { statuses: [403, 403], reason: /^forbidden: / };
    return { statuses: [403], reason: /^forbidden: / };
  }

  // The outbound speaks h2c to apps (gRPC clients): the preface starts an HTTP/2 session,
  // whose requests are policed below.
  const http1Entries = entries.filter((e) => e !== 'HTTP/2 prior-knowledge preface');

  it.each(http1Entries)('%s: refused, nothing reaches the app', async (entry) => {
    const want = outboundRefusal(entry);
    const { x, appGot } = await exchange(scraper.outbound, ENTRY[entry], {
      responses: want.statuses.length,
    });
    const got = summary(x);
    expect(got.statuses).toEqual(want.statuses);
    for (const r of got.reasons) expect(r).toMatch(want.reason);
    expect(appGot).toBe('');
  });

  it('HTTP/2 prior knowledge (h2c, as gRPC clients send): refused, nothing reaches the app', async () => {
    const before = app.received().length;
    const session = http2.connect(`http://127.0.0.1:${scraper.outbound}`);
    try {
      const got = await new Promise<{ status: number; reason: unknown }>((resolve, reject) => {
        const stream = session.request({
          ':method': 'POST',
          ':path': '/charges',
          ':authority': 'payments.shop',
        });
        stream.on('response', (h) =>
          resolve({ status: Number(h[':status']), reason: h['x-meshlens-proxy-error'] }),
        );
        stream.on('error', reject);
        stream.end('{"amount":1}');
      });
      expect(got.status).toBe(403);
      expect(String(got.reason)).toMatch(/^forbidden: /);
    } finally {
      session.close();
    }
    expect(app.received().slice(before)).toBe('');
  });

  it('an absolute-form target wins over Host, for routing and for the Host the peer sees', async () => {
    // Host names payments (which would deny), the target names reviews: reviews gets it, with
    // its own name as Host, so the next hop can only police what is really being called.
    for (const extra of ['', WS]) {
      const before = reviewsApp.received().length;
      const { x, appGot } = await exchange(
        scraper.outbound,
        `GET http://reviews.shop/r HTTP/1.1\r\n${H}${extra}\r\n`,
        extra === '' ? { responses: 1 } : { afterUpgrade: 'x' },
      );
      expect(summary(x).statuses).toEqual([extra === '' ? 200 : 101]);
      expect(appGot).toBe('');
      const got = reviewsApp.received().slice(before);
      expect(got).toMatch(/^GET \/r HTTP\/1\.1\r\n/);
      expect(got).toMatch(/\r\nhost: reviews\.shop\r\n/i);
      expect(got).not.toMatch(/payments/i);
    }
    // And the other way round: the target names payments, Host names reviews -> payments decides.
    const { x, appGot } = await exchange(
      scraper.outbound,
      `GET http://payments.shop/charges HTTP/1.1\r\nHost: reviews.shop\r\n${WS}\r\n`,
      { responses: 1 },
    );
    expect(summary(x).statuses).toEqual([403]);
    expect(appGot).toBe('');
  });

  it('refuses a request with two Host fields (which one names the service is ambiguous)', async () => {
    const { x, appGot } = await exchange(
      scraper.outbound,
      `GET /r HTTP/1.1\r\nHost: reviews.shop\r\nHost: payments.shop\r\n\r\n`,
      { responses: 1 },
    );
    expect(summary(x)).toEqual({ statuses: [400], reasons: ['malformed-request'] });
    expect(appGot).toBe('');
    expect(reviewsApp.received()).not.toContain('Host: payments.shop');
  });
});
