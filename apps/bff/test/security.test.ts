import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { errorResponseSchema } from '@meshlens/contract';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppDeps } from '../src/app';
import { createFixtureSource } from '../src/fixture/fixtureSource';
import { FIXED_NOW, type Running, getJson, rawGet, readUntil, startBff } from './helpers';

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(extra: Partial<AppDeps> = {}) {
  const source = createFixtureSource({ now: () => FIXED_NOW, tickIntervalMs: 0 });
  running = await startBff({ source, now: () => FIXED_NOW, ...extra });
  return { ...running, source };
}

describe('Host allow-list', () => {
  it('accepts localhost forms on any port and rejects others with an explanation', async () => {
    const { port } = await start();
    for (const host of ['localhost', `localhost:${port}`, '127.0.0.1:1234', '[::1]:9']) {
      expect((await rawGet(port, '/api/v1/namespaces', { host })).status).toBe(200);
    }
    const evil = await rawGet(port, '/api/v1/namespaces', { host: 'evil.example:80' });
    expect(evil.status).toBe(400);
    const body = errorResponseSchema.parse(JSON.parse(evil.body));
    expect(body.error.code).toBe('host_not_allowed');
    expect(body.error.message).toContain('"evil.example:80" is not in the allow-list');
    // Probes come with the pod IP as Host.
    expect((await rawGet(port, '/live', { host: '10.1.2.3:50750' })).status).toBe(200);
  });

  it('lets probes through under a base path too', async () => {
    const { port } = await start({ basePath: '/x' });
    expect((await rawGet(port, '/x/live', { host: '10.1.2.3:50750' })).status).toBe(200);
    expect((await rawGet(port, '/x/api/v1/namespaces', { host: '10.1.2.3:50750' })).status).toBe(
      400,
    );
  });

  it('takes a configured list', async () => {
    const { port } = await start({ allowedHosts: ['meshlens.example.com', '*.corp.example'] });
    expect(
      (await rawGet(port, '/api/v1/namespaces', { host: 'meshlens.example.com:443' })).status,
    ).toBe(200);
    expect((await rawGet(port, '/api/v1/namespaces', { host: 'a.corp.example' })).status).toBe(200);
    expect((await rawGet(port, '/api/v1/namespaces', { host: 'localhost' })).status).toBe(400);
  });
});

describe('stream', () => {
  it('rejects a foreign Origin and streams to our own', async () => {
    const { url, port } = await start();
    const foreign = await rawGet(port, '/api/v1/stream?view=stat', {
      host: `127.0.0.1:${port}`,
      origin: 'http://evil.example',
    });
    expect(foreign.status).toBe(403);
    expect(errorResponseSchema.parse(JSON.parse(foreign.body)).error.code).toBe(
      'origin_not_allowed',
    );

    const controller = new AbortController();
    const res = await fetch(`${url}/api/v1/stream?view=namespaces`, {
      headers: { origin: url },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const first = await readUntil(res, (t) => t.includes('\n\n'));
    expect(first.startsWith('event: namespaces\ndata: {')).toBe(true);
    controller.abort();
  });

  it('pushes again on every tick', async () => {
    const { url, source } = await start();
    const res = await fetch(`${url}/api/v1/stream?view=status`);
    const ticker = setInterval(() => source.tick(), 50);
    try {
      const text = await readUntil(res, (t) => t.split('event: status').length > 2);
      expect(text.split('event: status').length).toBeGreaterThan(2);
    } finally {
      clearInterval(ticker);
    }
  });

  it('validates the view', async () => {
    const { url } = await start();
    const { status, body } = await getJson(`${url}/api/v1/stream?view=nope`);
    expect(status).toBe(400);
    expect(errorResponseSchema.parse(body).error.parameter).toBe('view');
  });
});

describe('bearer token', () => {
  it('protects everything but the probes', async () => {
    const { url } = await start({ authToken: 's3cret-token' });
    expect((await fetch(`${url}/live`)).status).toBe(200);
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const denied = await fetch(`${url}/api/v1/stat`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer realm="meshlens"');
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${url}/api/v1/stat`, { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(401);
    const ok = await fetch(`${url}/api/v1/stat`, {
      headers: { authorization: 'Bearer s3cret-token' },
    });
    expect(ok.status).toBe(200);
  });

  it('turns ?access_token into a cookie for browsers', async () => {
    const { url } = await start({ authToken: 's3cret-token' });
    const res = await fetch(`${url}/api/v1/namespaces?access_token=s3cret-token&x=1`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/api/v1/namespaces?x=1');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^meshlens_token=s3cret-token; Path=\/; HttpOnly; SameSite=Strict$/);
    const withCookie = await fetch(`${url}/api/v1/namespaces`, {
      headers: { cookie: 'meshlens_token=s3cret-token' },
    });
    expect(withCookie.status).toBe(200);
  });
});

describe('headers and methods', () => {
  it('sends CSP and hardening headers', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/api/v1/namespaces`);
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'self';script-src 'self';style-src 'self' 'sha256-pgvDUBa4IjFA2yuSJ2cqcyxmNYJMborsd0ORcRv9vw8=';style-src-attr 'unsafe-inline';img-src 'self' data:;" +
        "font-src 'self';connect-src 'self';object-src 'none';base-uri 'self';form-action 'self';frame-ancestors 'none'",
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('is read-only except for trace ingest', async () => {
    const { url } = await start();
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(`${url}/api/v1/stat`, { method });
      expect({ method, status: res.status }).toEqual({ method, status: 405 });
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    }
    const put = await fetch(`${url}/v1/traces`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST');
  });

  it('exposes its own metrics', async () => {
    const { url } = await start();
    await fetch(`${url}/api/v1/stat`);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('meshlens_bff_trace_store{unit="spans"} 0');
    expect(text).toContain('meshlens_bff_targets{health="down"} 1');
    expect(text).toContain('meshlens_bff_source_healthy{kind="fixture"} 1');
    expect(text).toMatch(
      /meshlens_bff_http_request_duration_seconds_count\{route="\/api\/v1\/stat",method="GET",status="200"\} 1/,
    );
  });
});

describe('SPA serving', () => {
  let dist: string;
  beforeAll(async () => {
    dist = await mkdtemp(path.join(tmpdir(), 'bff-web-'));
    await mkdir(path.join(dist, 'assets'));
    await writeFile(
      path.join(dist, 'index.html'),
      '<!doctype html><html><head>\n<base href="/" />\n<meta name="meshlens-base-path" content="/" />\n' +
        '<script type="module" src="./assets/index-abc123.js"></script></head><body></body></html>',
    );
    await writeFile(path.join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  });
  afterAll(async () => {
    await rm(dist, { recursive: true, force: true });
  });

  it('serves under a base path with history fallback and cache headers', async () => {
    const { url } = await start({ webDist: dist, basePath: '/meshlens' });
    for (const p of ['/meshlens/', '/meshlens', '/meshlens/namespaces/shop/workload/web']) {
      const res = await fetch(url + p, { headers: { accept: 'text/html' } });
      expect({ p, status: res.status }).toEqual({ p, status: 200 });
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const html = await res.text();
      expect(html).toContain('<base href="/meshlens/" />');
      expect(html).toContain('<meta name="meshlens-base-path" content="/meshlens" />');
    }
    const asset = await fetch(`${url}/meshlens/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${url}/meshlens/api/v1/namespaces`)).status).toBe(200);
    expect(
      (await fetch(`${url}/meshlens/api/v1/unknown`, { headers: { accept: 'text/html' } })).status,
    ).toBe(404);
    expect((await fetch(`${url}/meshlens/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${url}/api/v1/namespaces`)).status).toBe(404);
  });

  it('serves at the root without a base path', async () => {
    const { url } = await start({ webDist: dist });
    const html = await (
      await fetch(`${url}/traces/abc`, { headers: { accept: 'text/html' } })
    ).text();
    expect(html).toContain('<base href="/" />');
    expect(html).toContain('<meta name="meshlens-base-path" content="/" />');
  });
});
