import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type TapEvent,
  errorResponseSchema,
  tapEventSchema,
  tapInfoSchema,
} from '@meshlens/contract';
import { type EmbeddedSource, createEmbeddedSource } from '@meshlens/telemetry';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Running, rawGet, startBff } from './helpers';

/**
 * A stand-in for a proxy's admin listener: /metrics (empty) and /tap writing NDJSON events on
 * demand. A real proxy cannot be made to flood at will or to be watched closing its streams,
 * which is what these tests are about; the real proxy's tap is tested in apps/proxy and e2e.
 */
interface FakeProxy {
  pod: string;
  port: number;
  queries: URLSearchParams[];
  open: Set<http.ServerResponse>;
  closedAt: number[];
  emit(event: object): void;
  flood(on: boolean): void;
  close(): Promise<void>;
}

const TOKEN = 'bff-tap-token-0123456789';

async function fakeProxy(pod: string, opts: { refuse?: boolean } = {}): Promise<FakeProxy> {
  const open = new Set<http.ServerResponse>();
  let timer: NodeJS.Timeout | undefined;
  let seq = 0;
  const fake: FakeProxy = {
    pod,
    port: 0,
    queries: [],
    open,
    closedAt: [],
    emit(event) {
      for (const res of open) res.write(`${JSON.stringify(event)}\n`);
    },
    flood(on) {
      clearInterval(timer);
      if (!on) return;
      timer = setInterval(() => {
        for (let i = 0; i < 200; i++) {
          fake.emit({
            type: 'end',
            id: `${pod}/${++seq}`,
            ts: Date.now(),
            status: 200,
            durationMs: 1,
            responseBytes: 10,
          });
        }
      }, 5);
    },
    close: () =>
      new Promise((resolve) => {
        clearInterval(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/metrics') {
      res.end('');
      return;
    }
    if (opts.refuse === true || req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(403).end('tap refused: identity spiffe://x/ns/a/sa/b may not tap\n');
      return;
    }
    fake.queries.push(url.searchParams);
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.flushHeaders();
    open.add(res);
    res.on('close', () => {
      open.delete(res);
      fake.closedAt.push(Date.now());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.port = (server.address() as AddressInfo).port;
  return fake;
}

interface Sse {
  status: number;
  frames: { event: string; data: unknown }[];
  body: string;
  req: http.ClientRequest;
  res: http.IncomingMessage | undefined;
}

/** Opens an SSE URL with a raw client (so a test can stop reading) and parses frames. */
function openSse(port: number, path: string, headers: Record<string, string> = {}): Promise<Sse> {
  return new Promise((resolve, reject) => {
    const sse: Sse = { status: 0, frames: [], body: '', req: undefined as never, res: undefined };
    let buf = '';
    sse.req = http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
      sse.status = res.statusCode ?? 0;
      sse.res = res;
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        sse.body += sse.status === 200 ? '' : c;
        buf += c;
        const parts = buf.split('\n\n');
        buf = parts.pop() ?? '';
        for (const part of parts) {
          const event = /^event: (.*)$/m.exec(part)?.[1];
          const data = /^data: (.*)$/m.exec(part)?.[1];
          if (event !== undefined && data !== undefined)
            sse.frames.push({ event, data: JSON.parse(data) });
        }
      });
      res.on('error', () => undefined);
      if (sse.status === 200) resolve(sse);
      else res.on('end', () => resolve(sse));
    });
    sse.req.on('error', reject);
  });
}

async function until<T>(what: string, check: () => T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const tapEvents = (s: Sse): TapEvent[] =>
  s.frames.filter((f) => f.event === 'tap').map((f) => tapEventSchema.parse(f.data));

let proxies: FakeProxy[];
let source: EmbeddedSource;
let bff: Running;
const clients: Sse[] = [];

beforeAll(async () => {
  proxies = [await fakeProxy('web-a'), await fakeProxy('web-b'), await fakeProxy('pay-0')];
  const target = (p: FakeProxy, deployment: string, ns = 'shop') => ({
    url: `http://127.0.0.1:${p.port}/metrics`,
    labels: { namespace: ns, deployment, pod: p.pod, service: deployment },
  });
  source = createEmbeddedSource({
    targets: [
      target(proxies[0]!, 'web'),
      target(proxies[1]!, 'web'),
      target(proxies[2]!, 'payments'),
    ],
    workers: 0,
    scrapeIntervalMs: 60_000,
  });
  await source.start();
  bff = await startBff({
    source,
    tap: { bufferEvents: 50, maxWritableBytes: 4096 },
    tapCredentials: () => ({ token: TOKEN }),
  });
});

afterEach(() => {
  for (const c of clients.splice(0)) c.req.destroy();
  for (const p of proxies) p.flood(false);
});

afterAll(async () => {
  await bff?.close();
  await source?.stop();
  for (const p of proxies ?? []) await p.close();
});

async function tap(query: string, headers: Record<string, string> = {}): Promise<Sse> {
  const s = await openSse(bff.port, `/api/v1/tap?${query}`, headers);
  clients.push(s);
  return s;
}

describe('GET /api/v1/tap', () => {
  it('opens every proxy of the workload with the filter and its share of the cap, and merges their events', async () => {
    const s = await tap('kind=workload&namespace=shop&name=web&path=/api&method=get&maxRps=10');
    expect(s.status).toBe(200);
    const info = tapInfoSchema.parse(
      (await until('info', () => s.frames.find((f) => f.event === 'info'))).data,
    );
    expect(info.proxies.map((p) => p.pod)).toEqual(['web-a', 'web-b']);
    expect(info.perProxyMaxRps).toBe(5);
    await until('both upstreams', () =>
      proxies[0]!.open.size === 1 && proxies[1]!.open.size === 1 ? true : undefined,
    );
    expect(proxies[2]!.open.size).toBe(0);
    for (const p of [proxies[0]!, proxies[1]!]) {
      const q = p.queries.at(-1);
      expect(Object.fromEntries(q ?? [])).toEqual({ maxRps: '5', method: 'GET', path: '/api' });
    }
    proxies[0]!.emit({
      type: 'end',
      id: 'web-a/1',
      ts: 1,
      status: 200,
      durationMs: 2,
      responseBytes: 3,
    });
    proxies[1]!.emit({
      type: 'end',
      id: 'web-b/1',
      ts: 1,
      status: 500,
      durationMs: 2,
      responseBytes: 3,
    });
    proxies[1]!.emit({ type: 'dropped', ts: 1, count: 7, reason: 'rate' });
    proxies[1]!.emit({ type: 'start', id: 'bogus' }); // not a TapEvent: not forwarded
    const events = await until('3 events', () =>
      tapEvents(s).length >= 3 ? tapEvents(s) : undefined,
    );
    expect(
      events
        .filter((e) => e.type === 'end')
        .map((e) => e.id)
        .sort(),
    ).toEqual(['web-a/1', 'web-b/1']);
    expect(events.find((e) => e.type === 'dropped')).toEqual({
      type: 'dropped',
      ts: 1,
      count: 7,
      reason: 'rate',
      pod: 'web-b',
    });
    expect(bff.bff.tap.stats()).toMatchObject({ sessions: 1, upstreams: 2 });
  });

  it('a browser that stops reading loses events (counted, announced) instead of growing the buffer', async () => {
    const s = await tap('kind=workload&namespace=shop&name=payments');
    await until('upstream', () => (proxies[2]!.open.size === 1 ? true : undefined));
    s.res?.pause(); // the browser stops reading
    proxies[2]!.flood(true);
    let maxSeen = 0;
    await until(
      'thousands of events dropped',
      () => {
        const st = bff.bff.tap.stats();
        maxSeen = Math.max(maxSeen, st.maxBufferedEvents);
        return st.droppedSlowConsumer > 5000 ? st : undefined;
      },
      30_000,
    );
    expect(maxSeen).toBeLessThanOrEqual(50);
    expect(maxSeen).toBeGreaterThan(0);
    proxies[2]!.flood(false);
    // reading again: the queue drains and a notice says how many were lost
    s.res?.resume();
    const notice = await until('a slow-consumer notice', () =>
      tapEvents(s).find((e) => e.type === 'dropped' && e.reason === 'slow-consumer'),
    );
    expect(notice.type === 'dropped' && notice.count).toBeGreaterThan(0);
    const metrics = await rawGet(bff.port, '/metrics');
    expect(metrics.body).toMatch(/^meshlens_bff_tap_sessions 1$/m);
  });

  it("closes the proxies' streams within a second of the browser leaving", async () => {
    const s = await tap('kind=workload&namespace=shop&name=web');
    await until('upstreams', () =>
      proxies[0]!.open.size === 1 && proxies[1]!.open.size === 1 ? true : undefined,
    );
    const left = Date.now();
    s.req.destroy();
    await until('upstreams closed', () =>
      proxies[0]!.open.size === 0 && proxies[1]!.open.size === 0 ? true : undefined,
    );
    const closed = Math.max(proxies[0]!.closedAt.at(-1) ?? 0, proxies[1]!.closedAt.at(-1) ?? 0);
    expect(closed - left).toBeLessThan(1000);
    await until('no sessions', () => (bff.bff.tap.stats().sessions === 0 ? true : undefined));
  });

  it('answers bad input, unknown resources and foreign pages with clear errors', async () => {
    const bad = await rawGet(
      bff.port,
      '/api/v1/tap?kind=workload&namespace=shop&name=web&maxRps=0',
    );
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({
      error: {
        code: 'invalid_parameter',
        message: 'parameter maxRps: must be greater than 0',
        parameter: 'maxRps',
      },
    });
    const none = await rawGet(bff.port, '/api/v1/tap?kind=workload&namespace=shop&name=nope');
    expect(none.status).toBe(404);
    expect(errorResponseSchema.parse(JSON.parse(none.body)).error.message).toBe(
      'no meshed proxies found for workload shop/nope',
    );
    const foreign = await rawGet(bff.port, '/api/v1/tap?kind=namespace&name=shop', {
      origin: 'http://evil.example',
    });
    expect(foreign.status).toBe(403);
  });

  it('is off when the config says so', async () => {
    const off = await startBff({ source, tap: { enabled: false } });
    try {
      const r = await rawGet(off.port, '/api/v1/tap?kind=namespace&name=shop');
      expect(r.status).toBe(403);
      expect(errorResponseSchema.parse(JSON.parse(r.body)).error.code).toBe('tap_disabled');
    } finally {
      await off.close();
    }
  });
});

describe('GET /api/v1/tap without credentials', () => {
  it('reports each proxy that refuses, with its reason', async () => {
    const refusing = await fakeProxy('lonely-0', { refuse: true });
    const src = createEmbeddedSource({
      targets: [
        {
          url: `http://127.0.0.1:${refusing.port}/metrics`,
          labels: { namespace: 'ops', deployment: 'lonely', pod: 'lonely-0' },
        },
      ],
      workers: 0,
      scrapeIntervalMs: 60_000,
    });
    await src.start();
    const other = await startBff({ source: src });
    try {
      const s = await openSse(other.port, '/api/v1/tap?kind=workload&namespace=ops&name=lonely');
      clients.push(s);
      const err = await until('tap-error', () => s.frames.find((f) => f.event === 'tap-error'));
      expect(err.data).toEqual({
        pod: 'lonely-0',
        message: 'proxy answered 403: tap refused: identity spiffe://x/ns/a/sa/b may not tap',
      });
    } finally {
      await other.close();
      await src.stop();
      await refusing.close();
    }
  });
});
