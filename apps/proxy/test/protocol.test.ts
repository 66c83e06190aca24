import http from 'node:http';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  discoveryYaml,
  request,
  startProxy,
  startUpstream,
  type RunningProxy,
  type Upstream,
} from './helpers';

let up: Upstream;
let proxy: RunningProxy;

beforeAll(async () => {
  up = await startUpstream((req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => {
      res.setHeader('connection', 'keep-alive, x-secret');
      res.setHeader('x-secret', 'hop');
      res.setHeader('x-body-bytes', String(n));
      res.end(JSON.stringify({ url: req.url, headers: req.headers }));
    });
  });
  // Echo WebSocket-style upgrades: answer 101 and echo bytes back.
  up.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    );
    if (head.length > 0) socket.write(head);
    socket.pipe(socket);
  });
  proxy = await startProxy({
    discovery: discoveryYaml([{ service: 'reviews', port: up.port }]),
    args: ['--app-port', String(up.port)],
  });
});

afterAll(async () => {
  await proxy.stop();
  await up.close();
});

interface Echo {
  url: string;
  headers: Record<string, string>;
}

describe('HTTP/1.1 semantics', () => {
  it('preserves Host, drops hop-by-hop headers both ways and appends x-forwarded-*', async () => {
    const reply = await request(proxy.outbound, {
      host: 'reviews.shop.svc.cluster.local:9080',
      path: '/a?b=1',
      headers: {
        connection: 'keep-alive, x-private',
        'x-private': '1',
        'proxy-authorization': 'x',
        'x-forwarded-for': '10.0.0.9',
        te: 'trailers',
      },
    });
    const echo = JSON.parse(reply.body) as Echo;
    expect(echo.url).toBe('/a?b=1');
    expect(echo.headers.host).toBe('reviews.shop.svc.cluster.local:9080');
    expect(echo.headers['x-private']).toBeUndefined();
    expect(echo.headers['proxy-authorization']).toBeUndefined();
    expect(echo.headers.te).toBeUndefined();
    expect(echo.headers['x-forwarded-for']).toBe('10.0.0.9, 127.0.0.1');
    expect(echo.headers['x-forwarded-proto']).toBe('http');
    expect(reply.headers['x-secret']).toBeUndefined();
  });

  it('routes absolute-form request targets by their authority', async () => {
    const reply = await request(proxy.outbound, {
      host: 'ignored.example',
      path: 'http://reviews.shop/abs?x=1',
    });
    expect(reply.status).toBe(200);
    const echo = JSON.parse(reply.body) as Echo;
    expect(echo.url).toBe('/abs?x=1');
    expect(echo.headers.host).toBe('reviews.shop');
  });

  it('passes chunked and content-length bodies', async () => {
    const sized = await request(proxy.outbound, {
      host: 'reviews.shop',
      method: 'PUT',
      body: 'x'.repeat(1000),
    });
    expect(sized.headers['x-body-bytes']).toBe('1000');
    const chunked = await request(proxy.inbound, {
      host: 'reviews.shop',
      method: 'POST',
      headers: { 'transfer-encoding': 'chunked' },
      body: 'y'.repeat(200_000),
    });
    expect(chunked.headers['x-body-bytes']).toBe('200000');
    expect((JSON.parse(chunked.body) as Echo).headers['transfer-encoding']).toBe('chunked');
  });

  it('relays Expect: 100-continue', async () => {
    const result = await new Promise<{
      continued: boolean;
      status: number;
      bytes: string | undefined;
    }>((resolve, reject) => {
      let continued = false;
      const req = http.request({
        host: '127.0.0.1',
        port: proxy.outbound,
        method: 'PUT',
        path: '/upload',
        headers: { host: 'reviews.shop', expect: '100-continue', 'content-length': 5 },
      });
      req.on('continue', () => {
        continued = true;
        req.end('hello');
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            continued,
            status: res.statusCode ?? 0,
            bytes: res.headers['x-body-bytes'] as string | undefined,
          }),
        );
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(result).toEqual({ continued: true, status: 200, bytes: '5' });
  });

  it('passes WebSocket upgrades through, outbound and inbound', async () => {
    for (const port of [proxy.outbound, proxy.inbound]) {
      const echoed = await new Promise<string>((resolve, reject) => {
        const req = http.request({
          host: '127.0.0.1',
          port,
          path: '/ws',
          headers: { host: 'reviews.shop', connection: 'Upgrade', upgrade: 'websocket' },
        });
        req.on('upgrade', (res, socket) => {
          expect(res.statusCode).toBe(101);
          socket.once('data', (c: Buffer) => {
            resolve(c.toString());
            socket.destroy();
          });
          socket.write('ping');
        });
        req.on('error', reject);
        req.end();
      });
      expect(echoed).toBe('ping');
    }
  });
});
