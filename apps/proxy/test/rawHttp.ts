import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { IdentityMaterial } from '@meshlens/cp-client';

/**
 * A raw TCP "app" that records every byte the proxy sends it, so a test can assert exactly what
 * reached the application (nothing, for a refused request). It answers each complete request
 * with `200 ok`, and a WebSocket upgrade with 101 followed by an echo of the tunnel's bytes.
 */
export interface RawApp {
  port: number;
  /** Everything received, all connections concatenated in arrival order. */
  received(): string;
  /** Request heads received (the first line of each). */
  requestLines(): string[];
  close(): Promise<void>;
}

const HEAD_END = '\r\n\r\n';

export async function startRawApp(): Promise<RawApp> {
  let all = '';
  const lines: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = '';
    let tunnel = false;
    socket.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      all += text;
      if (tunnel) {
        socket.write(chunk);
        return;
      }
      pending += text;
      for (;;) {
        const end = pending.indexOf(HEAD_END);
        if (end < 0) return;
        const head = pending.slice(0, end);
        const rest = pending.slice(end + HEAD_END.length);
        const bodyEnd = messageEnd(head, rest);
        if (bodyEnd === undefined) return;
        lines.push(head.split('\r\n', 1)[0] ?? '');
        pending = rest.slice(bodyEnd);
        if (/\r\nupgrade: *websocket/i.test(head)) {
          tunnel = true;
          socket.write(
            'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
          );
          if (pending.length > 0) socket.write(Buffer.from(pending, 'latin1'));
          return;
        }
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    received: () => all,
    requestLines: () => [...lines],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Where the body after a request head ends, or undefined while it is incomplete. */
function messageEnd(head: string, rest: string): number | undefined {
  const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
    const end = rest.indexOf('0\r\n\r\n');
    return end < 0 ? undefined : end + 5;
  }
  if (cl?.[1] !== undefined) {
    const n = Number(cl[1]);
    return rest.length >= n ? n : undefined;
  }
  return 0;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Parses complete HTTP/1.x responses from a byte string (content-length bodies, or none). */
export function parseResponses(text: string): { responses: RawResponse[]; rest: string } {
  const responses: RawResponse[] = [];
  let rest = text;
  for (;;) {
    const end = rest.indexOf(HEAD_END);
    if (end < 0) break;
    const [statusLine = '', ...headerLines] = rest.slice(0, end).split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
    if (Number.isNaN(status)) break;
    const headers: Record<string, string> = {};
    for (const l of headerLines) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const len = status === 101 ? 0 : Number(headers['content-length'] ?? 0);
    const after = rest.slice(end + HEAD_END.length);
    if (after.length < len) break;
    responses.push({ status, headers, body: after.slice(0, len) });
    rest = after.slice(len);
    if (status === 101) break;
  }
  return { responses, rest };
}

export interface RawClientOptions {
  /** mTLS client material (a mesh identity) for the inbound listener. */
  tls?: IdentityMaterial;
  /** Resolve once this many responses have arrived (else when the server closes). */
  responses?: number;
  /** Bytes to send after a 101, e.g. WebSocket frames. */
  afterUpgrade?: string;
  timeoutMs?: number;
}

export interface RawExchange {
  responses: RawResponse[];
  /** Bytes after the last parsed response (tunnel data after a 101). */
  rest: string;
  closed: boolean;
}

/**
 * Sends raw bytes to a listener and collects the answer until `responses` responses arrived, the
 * server closed, or the deadline (generous: the machine is shared) passed.
 */
export function rawExchange(
  port: number,
  bytes: string,
  opts: RawClientOptions = {},
): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    let out = '';
    let closed = false;
    let done = false;
    const socket: net.Socket =
      opts.tls === undefined
        ? net.connect(port, '127.0.0.1', () => socket.write(bytes, 'latin1'))
        : tls.connect(
            {
              host: '127.0.0.1',
              port,
              key: opts.tls.keyPem,
              cert: opts.tls.certPem,
              ca: opts.tls.caPem,
              checkServerIdentity: () => undefined,
              minVersion: 'TLSv1.3',
            },
            () => socket.write(bytes, 'latin1'),
          );
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = parseResponses(out);
      resolve({ ...parsed, closed });
    };
    const timer = setTimeout(finish, opts.timeoutMs ?? 15_000);
    let sentAfterUpgrade = false;
    socket.on('data', (c: Buffer) => {
      out += c.toString('latin1');
      const parsed = parseResponses(out);
      const last = parsed.responses[parsed.responses.length - 1];
      if (last?.status === 101 && opts.afterUpgrade !== undefined) {
        if (!sentAfterUpgrade) {
          sentAfterUpgrade = true;
          socket.write(opts.afterUpgrade, 'latin1');
        }
        if (parsed.rest.length >= opts.afterUpgrade.length) finish();
        return;
      }
      if (opts.responses !== undefined && parsed.responses.length >= opts.responses) finish();
    });
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('error', (err) => {
      if (out === '' && !done) {
        done = true;
        clearTimeout(timer);
        reject(err);
      }
    });
  });
}
