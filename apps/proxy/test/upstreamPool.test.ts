import http from 'node:http';
import net from 'node:net';
import { parseExposition } from '@meshlens/prom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  discoveryYaml,
  request,
  startProxy,
  startUpstream,
  waitFor,
  type RunningProxy,
  type Upstream,
} from './helpers';

// Plaintext HTTP/1.1 upstreams are reached through undici pools (src/upstreamPool.ts) whose
// response bodies are written straight to the client: these pin what that path must keep.

let up: Upstream;
let proxy: RunningProxy;
/** Responses of /endless the upstream saw closed before it ended them. */
let endlessClosed = 0;

beforeAll(async () => {
  up = await startUpstream((req, res) => {
    req.resume();
    if (req.url === '/trailers') {
      res.writeHead(200, { trailer: 'x-checksum', 'content-type': 'text/plain' });
      res.write('part one, ');
      res.addTrailers({ 'x-checksum': 'c0ffee' });
      res.end('part two');
    } else if (req.url === '/headers') {
      res.writeHead(299, 'Custom Reason', [
        ['x-dup', 'a'],
        ['x-dup', 'b'],
        ['set-cookie', 'one=1'],
        ['set-cookie', 'two=2'],
        ['content-length', '2'],
      ]);
      res.end('ok');
    } else if (req.url === '/not-modified') {
      res.writeHead(304, { etag: '"v1"' });
      res.end();
    } else if (req.url === '/endless') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const timer = setInterval(() => res.write(Buffer.alloc(1024, 120)), 5);
      res.once('close', () => {
        clearInterval(timer);
        if (!res.writableFinished) endlessClosed++;
      });
    } else {
      res.end('plain');
    }
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

/** GET through a listener, keeping the trailers and the reason phrase. */
function get(
  port: number,
  path: string,
  method = 'GET',
): Promise<{ res: http.IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method, headers: { host: 'reviews.shop' }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ res, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('plaintext HTTP/1.1 upstreams through the undici pool', () => {
  it('relays a chunked body and its trailers, outbound and inbound', async () => {
    for (const port of [proxy.outbound, proxy.inbound]) {
      const { res, body } = await get(port, '/trailers');
      expect(res.statusCode).toBe(200);
      expect(body).toBe('part one, part two');
      expect(res.trailers).toEqual({ 'x-checksum': 'c0ffee' });
    }
  });

  it('keeps the reason phrase and repeated header fields', async () => {
    const { res, body } = await get(proxy.outbound, '/headers');
    expect(res.statusCode).toBe(299);
    expect(res.statusMessage).toBe('Custom Reason');
    expect(res.headers['x-dup']).toBe('a, b');
    expect(res.headers['set-cookie']).toEqual(['one=1', 'two=2']);
    expect(body).toBe('ok');
  });

  it('answers HEAD and 304 without a body', async () => {
    const head = await get(proxy.outbound, '/headers', 'HEAD');
    expect(head.res.statusCode).toBe(299);
    expect(head.res.headers['content-length']).toBe('2');
    expect(head.body).toBe('');
    const nm = await get(proxy.outbound, '/not-modified');
    expect(nm.res.statusCode).toBe(304);
    expect(nm.res.headers.etag).toBe('"v1"');
    expect(nm.body).toBe('');
    // the connection is still usable after both
    expect((await request(proxy.outbound, { host: 'reviews.shop', path: '/x' })).body).toBe(
      'plain',
    );
  });

  it('ends the upstream exchange when the client goes away mid-body, counted as stream-reset', async () => {
    const before = endlessClosed;
    await new Promise<void>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: proxy.outbound,
          path: '/endless',
          headers: { host: 'reviews.shop' },
          agent: false,
        },
        (res) => {
          let got = 0;
          res.on('data', (c: Buffer) => {
            got += c.length;
            if (got >= 16 * 1024) {
              req.destroy();
              resolve();
            }
          });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ECONNRESET') reject(err);
      });
      req.end();
    });
    await waitFor(() => (endlessClosed > before ? true : undefined), 20_000, 'upstream close');
    const metrics = await waitFor(async () => {
      const text = (await request(proxy.admin, { path: '/metrics' })).body;
      return text.includes('error="stream-reset"') ? text : undefined;
    }, 20_000);
    const reset = parseExposition(metrics)
      .flatMap((f) => f.samples)
      .filter((s) => s.name === 'response_total' && s.labels.error === 'stream-reset');
    expect(reset).toHaveLength(1);
    expect(reset[0]?.labels.classification).toBe('failure');
    expect(reset[0]?.labels.direction).toBe('outbound');
    expect(reset[0]?.value).toBe(1);
  });
});

describe('upstreams that delimit the body by closing the connection', () => {
  let raw: net.Server;
  let rawProxy: RunningProxy;

  beforeAll(async () => {
    // a raw server: what old or minimal HTTP servers send, byte for byte
    raw = net.createServer((socket) => {
      let head = '';
      socket.on('data', (c: Buffer) => {
        head += c.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        if (head.startsWith('GET /http10 '))
          socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold server body');
        else socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello until close');
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const port = (raw.address() as net.AddressInfo).port;
    rawProxy = await startProxy({ discovery: discoveryYaml([{ service: 'reviews', port }]) });
  });

  afterAll(async () => {
    await rawProxy.stop();
    await new Promise((resolve) => raw.close(resolve));
  });

  it('relays a close-delimited HTTP/1.1 body and an HTTP/1.0 answer whole', async () => {
    const a = await request(rawProxy.outbound, { host: 'reviews.shop', path: '/close' });
    expect([a.status, a.body]).toEqual([200, 'hello until close']);
    const b = await request(rawProxy.outbound, { host: 'reviews.shop', path: '/http10' });
    expect([b.status, b.body, b.headers['content-type']]).toEqual([
      200,
      'old server body',
      'text/plain',
    ]);
  });
});
