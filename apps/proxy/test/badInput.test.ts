import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  discoveryYaml,
  proxyDir,
  request,
  spawnProxy,
  startUpstream,
  tempDir,
  waitFor,
  type ProxyProcess,
  type Upstream,
} from './helpers';

function runMain(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: proxyDir,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

/** Sends raw bytes and returns whatever the server answers before closing. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let out = '';
    socket.on('data', (c: Buffer) => (out += c.toString()));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy());
  });
}

describe('invalid flags and discovery files', () => {
  it('--help prints the flags and exits 0', () => {
    const r = runMain(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--discovery-file FILE');
    expect(r.stdout).toContain('--tls-mode disabled|permissive|strict');
  });

  it('rejects a bad port naming the flag, exit 2', () => {
    const r = runMain(['--outbound-port', '70000']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--outbound-port');
  });

  it('refuses to start with an invalid discovery file, naming the file and field', () => {
    const file = path.join(tempDir(), 'bad.yaml');
    writeFileSync(
      file,
      'endpoints:\n  - { namespace: shop, service: reviews, address: 127.0.0.1, port: "x" }\n',
    );
    const r = runMain(['--discovery-file', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toContain('endpoints.0.port');
  });
});

describe('a running proxy under bad input', () => {
  let proxy: ProxyProcess;
  let up: Upstream;
  let file: string;

  beforeAll(async () => {
    up = await startUpstream();
    file = path.join(tempDir(), 'discovery.yaml');
    writeFileSync(file, discoveryYaml([{ service: 'reviews', port: up.port }]));
    proxy = await spawnProxy(['--discovery-file', file, '--app-port', String(up.port)]);
  });

  afterAll(async () => {
    await proxy.stop();
    await up.close();
  });

  it('keeps the last good discovery file when a new one is invalid, and picks up a valid one', async () => {
    writeFileSync(file, 'endpoints: [ { this is not yaml');
    await waitFor(
      async () =>
        (await request(proxy.admin, { path: '/endpoints' })).body.includes('not valid YAML')
          ? true
          : undefined,
      10_000,
      'the rejection to show in /endpoints',
    );
    expect((await request(proxy.outbound, { host: 'reviews.shop' })).status).toBe(200);
    writeFileSync(file, discoveryYaml([{ service: 'ratings', port: up.port }]));
    await waitFor(
      async () =>
        (await request(proxy.outbound, { host: 'ratings.shop' })).status === 200 ? true : undefined,
      10_000,
      'the new service',
    );
    expect((await request(proxy.outbound, { host: 'reviews.shop' })).status).toBe(503);
  });

  it('answers malformed requests with 400 and keeps serving', async () => {
    for (const port of [proxy.outbound, proxy.inbound]) {
      expect(await raw(port, 'GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
      expect(
        await raw(port, 'GET / HTTP/1.1\r\nHost: reviews.shop\r\nContent-Length: abc\r\n\r\n'),
      ).toMatch(/^HTTP\/1\.1 400/);
      expect(
        await raw(port, `GET /${'a'.repeat(20000)} HTTP/1.1\r\nX: ${'b'.repeat(20000)}\r\n\r\n`),
      ).toMatch(/^HTTP\/1\.1 (400|431)/);
    }
    expect((await request(proxy.outbound, { host: 'not a host' })).status).toBe(400);
    expect((await request(proxy.outbound, { host: 'ratings.shop' })).status).toBe(200);
    expect(proxy.child.exitCode).toBe(null);
  });
});
