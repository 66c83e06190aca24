import { writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { tapEventSchema, type TapEvent } from '@meshlens/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type ProxyApp } from '../src/app';
import { FileDiscovery } from '../src/discovery/fileDiscovery';
import { parseFlags } from '../src/flags';
import { MeshTls } from '../src/mtls';
import {
  discoveryYaml,
  request,
  silentLogger,
  startUpstream,
  tempDir,
  waitFor,
  type Upstream,
} from './helpers';
import { createTestCa, type TestIdentity } from './testCa';

const TOKEN = 'tap-token-0123456789abcdef';

interface Tap {
  status: number;
  body: string;
  events: TapEvent[];
  close(): void;
}

/** Opens GET /tap on an admin port and collects the NDJSON events (parsed with the contract). */
function openTap(
  port: number,
  query: string,
  opts: { token?: string; tls?: TestIdentity } = {},
): Promise<Tap> {
  return new Promise((resolve, reject) => {
    const headers = opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` };
    const common = { host: '127.0.0.1', port, path: `/tap?${query}`, headers };
    const onRes = (res: http.IncomingMessage) => {
      const tap: Tap = {
        status: res.statusCode ?? 0,
        body: '',
        events: [],
        close: () => req.destroy(),
      };
      let partial = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (tap.status !== 200) {
          tap.body += chunk;
          return;
        }
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (line.trim() !== '') tap.events.push(tapEventSchema.parse(JSON.parse(line)));
        }
      });
      res.on('error', () => undefined);
      if (tap.status === 200) resolve(tap);
      else res.on('end', () => resolve(tap));
    };
    const m = opts.tls?.current();
    const req =
      m === undefined
        ? http.get(common, onRes)
        : https.get(
            {
              ...common,
              key: m.keyPem,
              cert: m.certPem,
              ca: m.caPem,
              // the admin's certificate names a SPIFFE id, not 127.0.0.1
              checkServerIdentity: () => undefined,
            },
            onRes,
          );
    req.on('error', reject);
  });
}

interface Started {
  app: ProxyApp;
  outbound: number;
  admin: number;
}

async function startTapProxy(opts: {
  upstream: number;
  args?: string[];
  meshTls?: MeshTls;
}): Promise<Started> {
  const file = path.join(tempDir(), 'discovery.json');
  writeFileSync(
    file,
    discoveryYaml([{ service: 'reviews', workload: 'reviews-v1', port: opts.upstream }]),
  );
  const discovery = new FileDiscovery({ file, logger: silentLogger });
  await discovery.start();
  const parsed = parseFlags(
    ['--namespace', 'shop', '--service', 'web', '--pod', 'web-0', ...(opts.args ?? [])],
    {},
  );
  if (parsed.kind !== 'ok') throw new Error(JSON.stringify(parsed));
  const app = createApp({
    flags: parsed.flags,
    logger: silentLogger,
    discovery: [discovery],
    tapToken: TOKEN,
    ...(opts.meshTls === undefined ? {} : { meshTls: opts.meshTls }),
  });
  const bound = await app.start();
  return { app, outbound: bound.outbound.port, admin: bound.admin.port };
}

let upstream: Upstream;
let proxy: Started;
const opened: Tap[] = [];

beforeAll(async () => {
  upstream = await startUpstream((_req, res) => {
    res.setHeader('set-cookie', 'session=s3cret');
    res.end('hello tap');
  });
  proxy = await startTapProxy({
    upstream: upstream.port,
    args: ['--tap-redact-headers', 'X-Secret'],
  });
});

afterAll(async () => {
  for (const t of opened) t.close();
  await proxy?.app.stop(100);
  await upstream?.close();
});

async function tap(query: string, opts: { token?: string; tls?: TestIdentity } = {}) {
  const t = await openTap(proxy.admin, query, opts);
  opened.push(t);
  return t;
}

describe('proxy tap (admin GET /tap)', () => {
  it('refuses a caller without the dashboard identity or the token', async () => {
    const none = await tap('');
    expect(none.status).toBe(403);
    expect(none.body).toBe(
      'tap refused: tap needs the dashboard mesh identity (mTLS) or the tap token\n',
    );
    const wrong = await tap('', { token: 'not-the-token-at-all' });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toBe('tap refused: the tap token is wrong\n');
    expect(proxy.app.tap.active).toBe(false);
  });

  it('rejects a bad filter with the parameter named', async () => {
    const bad = await tap('maxRps=-3', { token: TOKEN });
    expect(bad.status).toBe(400);
    expect(bad.body).toBe('parameter maxRps: must be a number of requests per second\n');
  });

  it('streams start, headers and end of matching requests only, with redacted headers', async () => {
    const t = await tap('path=/api&headers=true&direction=outbound', { token: TOKEN });
    expect(t.status).toBe(200);
    await waitFor(() => (proxy.app.tap.active ? true : undefined), 10_000, 'subscription');
    const host = 'reviews.shop';
    const secret = { authorization: 'Bearer abc', cookie: 'a=b', 'x-secret': 'x', 'x-plain': 'p' };
    expect((await request(proxy.outbound, { host, path: '/other' })).status).toBe(200);
    expect((await request(proxy.outbound, { host, path: '/api/1', headers: secret })).status).toBe(
      200,
    );
    const events = await waitFor(
      () => (t.events.some((e) => e.type === 'end') ? t.events : undefined),
      10_000,
      'an end event',
    );
    expect(events.map((e) => e.type)).toEqual(['start', 'headers', 'end']);
    const [start, headers, end] = events;
    if (start?.type !== 'start' || headers?.type !== 'headers' || end?.type !== 'end')
      throw new Error('wrong order');
    expect(start).toMatchObject({
      direction: 'outbound',
      method: 'GET',
      authority: 'reviews.shop',
      path: '/api/1',
      proxy: { namespace: 'shop', workload: 'web', pod: 'web-0' },
      src: { namespace: 'shop', workload: 'web', pod: 'web-0' },
      dst: { namespace: 'shop', service: 'reviews' },
      tls: false,
    });
    expect(start.headers?.authorization).toBe('[redacted]');
    expect(start.headers?.cookie).toBe('[redacted]');
    expect(start.headers?.['x-secret']).toBe('[redacted]');
    expect(start.headers?.['x-plain']).toBe('p');
    expect(headers.status).toBe(200);
    expect(headers.dst).toMatchObject({ workload: 'reviews-v1', service: 'reviews' });
    expect(headers.headers?.['set-cookie']).toBe('[redacted]');
    expect(end).toMatchObject({ id: start.id, status: 200, responseBytes: 'hello tap'.length });
    expect(end.error).toBeUndefined();
    t.close();
    await waitFor(() => (proxy.app.tap.active ? undefined : true), 10_000, 'unsubscribe');
  });

  it('says why the proxy answered itself (no endpoints) in the end event', async () => {
    const t = await tap('authority=nowhere.shop', { token: TOKEN });
    await waitFor(() => (proxy.app.tap.active ? true : undefined), 10_000, 'subscription');
    expect((await request(proxy.outbound, { host: 'nowhere.shop', path: '/' })).status).toBe(503);
    const end = await waitFor(() => t.events.find((e) => e.type === 'end'), 10_000, 'end');
    expect(end).toMatchObject({ status: 503, error: 'no-endpoints', reason: 'no-endpoints' });
    t.close();
  });

  it('caps at maxRps and counts every matching request it drops', async () => {
    const t = await tap('maxRps=5', { token: TOKEN });
    await waitFor(() => (proxy.app.tap.active ? true : undefined), 10_000, 'subscription');
    const began = Date.now();
    const total = 40;
    await Promise.all(
      Array.from({ length: total }, () =>
        request(proxy.outbound, { host: 'reviews.shop', path: '/' }),
      ),
    );
    const elapsedS = (Date.now() - began) / 1000;
    const counted = () => {
      const starts = t.events.filter((e) => e.type === 'start').length;
      const dropped = t.events.reduce(
        (n, e) => n + (e.type === 'dropped' && e.reason === 'rate' ? e.count : 0),
        0,
      );
      return starts + dropped === total ? { starts, dropped } : undefined;
    };
    const { starts } = await waitFor(counted, 10_000, 'every request sent or counted');
    // a burst of one second's worth, then 5 per second
    expect(starts).toBeGreaterThanOrEqual(5);
    expect(starts).toBeLessThanOrEqual(5 + Math.ceil(elapsedS * 5));
    t.close();
  });
});

describe('proxy tap over mTLS', () => {
  let meshProxy: Started;
  let dashboard: TestIdentity;
  let other: TestIdentity;

  beforeAll(async () => {
    const ca = await createTestCa();
    dashboard = await ca.identity('meshlens', 'meshlens-dashboard');
    other = await ca.identity('shop', 'frontend');
    const own = await ca.identity('shop', 'web');
    meshProxy = await startTapProxy({
      upstream: upstream.port,
      meshTls: new MeshTls(own, 'strict', 'cluster.local', silentLogger),
    });
  });
  afterAll(async () => meshProxy?.app.stop(100));

  it('lets the dashboard identity tap, refuses another mesh identity, keeps /metrics plaintext', async () => {
    const ok = await openTap(meshProxy.admin, 'path=/', { tls: dashboard });
    opened.push(ok);
    expect(ok.status).toBe(200);
    const refused = await openTap(meshProxy.admin, '', { tls: other });
    expect(refused.status).toBe(403);
    expect(refused.body).toBe(
      'tap refused: identity spiffe://cluster.local/ns/shop/sa/frontend may not tap\n',
    );
    expect((await request(meshProxy.admin, { path: '/metrics' })).status).toBe(200);
    ok.close();
  });
});
