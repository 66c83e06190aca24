import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, isOk, readJson, readText } from './httpRequest';

let server: http.Server;
let base: string;
const seen: { method: string | undefined; body: string; headers: http.IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method, body, headers: req.headers });
      if (req.url === '/json') res.end(JSON.stringify({ got: body, n: 1 }));
      else if (req.url === '/missing') {
        res.statusCode = 404;
        res.end('not json');
      } else if (req.url === '/stall')
        res.write('partial'); // never ends
      else if (req.url === '/split') {
        // "é" (0xc3 0xa9) split across two writes
        res.write(Buffer.from([0x61, 0xc3]));
        setImmediate(() => res.end(Buffer.from([0xa9, 0x62])));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('httpRequest (node:http instead of fetch)', () => {
  it('sends method, headers and a body with its length, and reads JSON back', async () => {
    const res = await httpRequest(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
      body: '{"é":1}',
    });
    expect(isOk(res)).toBe(true);
    expect(await readJson(res)).toEqual({ got: '{"é":1}', n: 1 });
    const last = seen.at(-1);
    expect(last?.method).toBe('POST');
    expect(last?.headers['content-length']).toBe('8'); // bytes (é is two), not characters (7)
    expect(last?.headers.authorization).toBe('Bearer t');
  });

  it('gives a non-2xx status as it is, and undefined for a body that is not JSON', async () => {
    const res = await httpRequest(`${base}/missing`);
    expect(res.statusCode).toBe(404);
    expect(isOk(res)).toBe(false);
    expect(await readJson(res)).toBeUndefined();
  });

  it('rejects with the signal reason when aborted before the head and mid-body', async () => {
    await expect(
      httpRequest(`${base}/json`, { signal: AbortSignal.abort(new Error('gone')) }),
    ).rejects.toThrow('gone');
    const ac = new AbortController();
    const res = await httpRequest(`${base}/stall`, { signal: ac.signal });
    const text = readText(res);
    ac.abort(new Error('stream idle'));
    await expect(text).rejects.toThrow('stream idle');
  });

  it('keeps a UTF-8 character split across chunks whole', async () => {
    expect(await readText(await httpRequest(`${base}/split`))).toBe('aéb');
  });

  it('fails with the connection error when nothing listens', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    await expect(httpRequest(`http://127.0.0.1:${port}/`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
