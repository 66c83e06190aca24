import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendError } from './backendError';
import { createBackendHttp } from './backendHttp';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(handler: http.RequestListener): Promise<string> {
  const s = http.createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        s.closeAllConnections();
        s.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

function tmp(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meshlens-backend-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('backend HTTP client', () => {
  it('sends headers, tenant and basic auth, re-reading the password file on every request', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const url = await server((req, res) => {
      seen.push(req.headers);
      res.end('{"ok":true}');
    });
    const dir = tmp();
    const pw = path.join(dir, 'password');
    writeFileSync(pw, 'first\n');
    const client = createBackendHttp('tempo', `${url}/gw/`, {
      headers: { 'X-Route': 'blue' },
      tenant: 'team-a',
      basicAuth: { username: 'meshlens', passwordFile: pw },
    });
    cleanups.push(() => client.close());
    expect(client.baseUrl).toBe(`${url}/gw`);
    expect(await client.getJson('/api/echo')).toEqual({ ok: true });
    writeFileSync(pw, 'rotated\n');
    await client.getJson('/api/echo');
    const basic = (p: string) => `Basic ${Buffer.from(`meshlens:${p}`).toString('base64')}`;
    expect(seen.map((h) => [h['x-route'], h['x-scope-orgid'], h.authorization])).toEqual([
      ['blue', 'team-a', basic('first')],
      ['blue', 'team-a', basic('rotated')],
    ]);
  });

  it('names the backend in every failure and never sends a half-configured request', async () => {
    const url = await server((req, res) => {
      if (req.url === '/big') res.end('x'.repeat(2048));
      else if (req.url === '/html') res.writeHead(503).end('<html>down</html>');
      else if (req.url === '/jaeger-error')
        res.writeHead(500).end('{"data":null,"errors":[{"code":500,"msg":"storage unavailable"}]}');
      else res.end('not json');
    });
    const dir = tmp();
    const client = createBackendHttp('jaeger', url, {
      bearerTokenFile: path.join(dir, 'missing'),
      maxBodyBytes: 1024,
    });
    cleanups.push(() => client.close());
    const err = await client.getJson('/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).kind).toBe('config');
    expect((err as BackendError).message).toBe(
      `jaeger at ${url}: cannot read the bearer token file ${path.join(dir, 'missing')} (ENOENT)`,
    );
    writeFileSync(path.join(dir, 'missing'), 't');
    await expect(client.getJson('/big')).rejects.toThrow(
      `jaeger at ${url}: response larger than 1024 bytes`,
    );
    await expect(client.getJson('/html')).rejects.toThrow(
      `jaeger at ${url}: 503 Service Unavailable`,
    );
    await expect(client.getJson('/jaeger-error')).rejects.toThrow(
      `jaeger at ${url}: 500 Internal Server Error: storage unavailable`,
    );
    await expect(client.getJson('/x')).rejects.toThrow(
      `jaeger at ${url}: /x answered with invalid JSON`,
    );
  });

  it('refuses TLS options it cannot honour at construction', () => {
    expect(() =>
      createBackendHttp('tempo', 'http://t:3200', { tls: { caFile: '/ca.pem' } }),
    ).toThrow('TLS options are set but http://t:3200 is not an https URL');
    expect(() =>
      createBackendHttp('tempo', 'https://t:3200', { tls: { caFile: '/nonexistent/ca.pem' } }),
    ).toThrow('cannot read the CA file /nonexistent/ca.pem (ENOENT)');
    expect(() =>
      createBackendHttp('tempo', 'https://t:3200', { tls: { certFile: '/c.pem' } }),
    ).toThrow('a client certificate needs both certFile and keyFile');
    expect(() => createBackendHttp('tempo', 'ftp://t')).toThrow(
      'tempo URL must be http:// or https://, got ftp://t',
    );
  });
});
