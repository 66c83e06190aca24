import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { detectProtocol, type Detected } from './detect';

const open: net.Socket[] = [];
let server: net.Server | undefined;

afterEach(() => {
  for (const s of open) s.destroy();
  open.length = 0;
  server?.close();
});

/** Sends `chunks` over a real TCP connection and returns what detection saw, and the bytes left to read. */
async function detect(chunks: string[], timeoutMs = 200): Promise<{ d: Detected; rest: string }> {
  const accepted = new Promise<net.Socket>((resolve) => {
    server = net.createServer((s) => resolve(s));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const client = net.connect((server!.address() as AddressInfo).port, '127.0.0.1');
  open.push(client);
  const socket = await accepted;
  open.push(socket);
  const detected = detectProtocol(socket, timeoutMs);
  for (const c of chunks) {
    client.write(c);
    await new Promise((r) => setTimeout(r, 20));
  }
  const d = await detected;
  // The bytes were given back: the next reader sees the whole stream.
  const rest = await new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (b: Buffer) => {
      text += b.toString('latin1');
      if (text.length >= chunks.join('').length) resolve(text);
    });
    if (chunks.join('') === '') resolve('');
  });
  return { d, rest };
}

describe('detectProtocol', () => {
  it('reads the Host of an HTTP/1 request split across packets and gives every byte back', async () => {
    const request = ['GE', 'T /a HTTP/1.1\r\nUser-Agent: x\r\nHost: reviews.shop:9080\r\n', '\r\n'];
    const { d, rest } = await detect(request);
    expect(d.protocol).toBe('http');
    expect(d.protocol === 'http' && d.host).toBe('reviews.shop:9080');
    expect(rest).toBe(request.join(''));
  });

  it('calls anything else opaque, and silence (a server-first protocol) after the timeout', async () => {
    // 'P' could still become POST/PUT/PATCH: detection waits for the next packet
    const redis = await detect(['P', 'ING\r\n']);
    expect(redis.d.protocol).toBe('opaque');
    expect(redis.rest).toBe('PING\r\n');
    const silent = await detect([], 100);
    expect(silent.d).toEqual({ protocol: 'opaque', bytes: Buffer.alloc(0) });
  });
});
