import { webcrypto } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer, get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { errorResponseSchema } from '@meshlens/contract';
import * as x509 from '@peculiar/x509';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AppDeps, createApp } from '../src/app';
import { createFixtureSource } from '../src/fixture/fixtureSource';
import { tokenMatcher } from '../src/security';
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

describe('token hygiene', () => {
  it('compares digests: a prefix, an extension or another length of the token never matches', () => {
    const matches = tokenMatcher('s3cret-token');
    expect(matches('s3cret-token')).toBe(true);
    for (const wrong of ['', 's3cret-toke', 's3cret-token!', 'S3cret-token', 'x'.repeat(4096)])
      expect({ wrong, ok: matches(wrong) }).toEqual({ wrong, ok: false });
  });

  it('limits the cookie to the base path and does not mark it Secure over plain HTTP', async () => {
    const { url } = await start({ authToken: 's3cret-token', basePath: '/meshlens' });
    const res = await fetch(`${url}/meshlens/api/v1/namespaces?access_token=s3cret-token`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/meshlens/api/v1/namespaces');
    expect(res.headers.get('set-cookie')).toBe(
      'meshlens_token=s3cret-token; Path=/meshlens; HttpOnly; SameSite=Strict',
    );
  });

  it('trusts X-Forwarded-Proto for Secure only when told to', async () => {
    const login = async (port: number) =>
      (
        await rawGet(port, '/api/v1/namespaces?access_token=s3cret-token', {
          host: `127.0.0.1:${port}`,
          'x-forwarded-proto': 'https',
        })
      ).headers['set-cookie'];
    const untrusted = await start({ authToken: 's3cret-token' });
    expect(await login(untrusted.port)).toEqual([
      'meshlens_token=s3cret-token; Path=/; HttpOnly; SameSite=Strict',
    ]);
    await untrusted.close();
    running = undefined;
    const trusted = await start({ authToken: 's3cret-token', trustProxy: true });
    expect(await login(trusted.port)).toEqual([
      'meshlens_token=s3cret-token; Path=/; HttpOnly; Secure; SameSite=Strict',
    ]);
  });

  it('marks the cookie Secure when served over HTTPS', async () => {
    const tls = await selfSigned();
    const source = createFixtureSource({ now: () => FIXED_NOW, tickIntervalMs: 0 });
    const bff = createApp({ source, now: () => FIXED_NOW, authToken: 's3cret-token' });
    const server = createHttpsServer({ key: tls.keyPem, cert: tls.certPem }, bff.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const cookie = await new Promise<string[] | undefined>((resolve, reject) => {
        const req = httpsGet(
          {
            host: '127.0.0.1',
            port,
            path: '/api/v1/namespaces?access_token=s3cret-token',
            ca: tls.certPem,
          },
          (res) => {
            res.resume();
            resolve(res.headers['set-cookie']);
          },
        );
        req.on('error', reject);
      });
      expect(cookie).toEqual([
        'meshlens_token=s3cret-token; Path=/; HttpOnly; Secure; SameSite=Strict',
      ]);
    } finally {
      bff.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('trace ingest', () => {
  const spans = { resourceSpans: [] };
  const post = (url: string, path: string, token?: string) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: path === '/v1/traces' ? JSON.stringify(spans) : '[]',
    });

  it('takes its own token, separate from the read API in both directions', async () => {
    const { url } = await start({ authToken: 'read-token-1', ingestToken: 'ingest-token-1' });
    for (const path of ['/v1/traces', '/api/v2/spans']) {
      const anonymous = await post(url, path);
      expect({ path, status: anonymous.status }).toEqual({ path, status: 401 });
      expect(errorResponseSchema.parse(await anonymous.json()).error.message).toBe(
        'trace ingest needs its bearer token (--ingest-token-file)',
      );
      expect((await post(url, path, 'read-token-1')).status).toBe(401);
      const ok = await post(url, path, 'ingest-token-1');
      // OTLP answers 200 with a partial-success body, Zipkin 202 Accepted.
      expect({ path, status: ok.status }).toEqual({
        path,
        status: path === '/v1/traces' ? 200 : 202,
      });
    }
    const read = await fetch(`${url}/api/v1/namespaces`, {
      headers: { authorization: 'Bearer ingest-token-1' },
    });
    expect(read.status).toBe(401);
    const readOk = await fetch(`${url}/api/v1/namespaces`, {
      headers: { authorization: 'Bearer read-token-1' },
    });
    expect(readOk.status).toBe(200);
  });

  it('guards ingest with its token even when the read API is open', async () => {
    const { url } = await start({ ingestToken: 'ingest-token-1' });
    expect((await post(url, '/v1/traces')).status).toBe(401);
    expect((await post(url, '/v1/traces', 'ingest-token-1')).status).toBe(200);
    expect((await fetch(`${url}/api/v1/namespaces`)).status).toBe(200);
  });

  it('can be turned off while the read API keeps working', async () => {
    const { url } = await start({ ingestEnabled: false });
    for (const path of ['/v1/traces', '/api/v2/spans']) {
      const res = await post(url, path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(errorResponseSchema.parse(await res.json()).error.message).toBe(
        'trace ingest is turned off on this dashboard (--no-ingest)',
      );
    }
    expect((await fetch(`${url}/api/v1/namespaces`)).status).toBe(200);
  });
});

/** A self-signed certificate for 127.0.0.1 (the HTTPS case of the cookie). */
async function selfSigned(): Promise<{ keyPem: string; certPem: string }> {
  x509.cryptoProvider.set(webcrypto);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=127.0.0.1',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3600_000),
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), certPem: cert.toString('pem') };
}

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
