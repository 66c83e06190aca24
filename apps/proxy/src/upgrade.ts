import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { tlsOptions, type AttemptTarget } from './attempt';
import type { OutgoingHttpHeaders } from 'node:http';

/** Writes a response head by hand: after an upgrade request only the raw socket is left. */
function writeHead(socket: Duplex, res: IncomingMessage): void {
  const lines = [`HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? ''}`];
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    lines.push(`${res.rawHeaders[i] ?? ''}: ${res.rawHeaders[i + 1] ?? ''}`);
  }
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
}

export function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = `meshlens proxy: ${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nconnection: close\r\ncontent-type: text/plain\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nx-meshlens-proxy-error: ${reason}\r\n\r\n${body}`,
  );
}

/**
 * Passes an upgrade (WebSocket) through: a fresh upstream connection, the 101 head relayed,
 * then bytes piped both ways until either side closes. Resolves with the upstream status.
 */
export function proxyUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: AttemptTarget,
  headers: OutgoingHttpHeaders,
  path: string,
): Promise<number> {
  return new Promise((resolve) => {
    const upgradeHeaders = {
      ...headers,
      connection: 'Upgrade',
      upgrade: req.headers.upgrade ?? 'websocket',
    };
    const options = {
      host: target.address,
      port: target.port,
      method: req.method ?? 'GET',
      path,
      headers: upgradeHeaders,
      agent: false as const,
      setHost: false,
    };
    const upReq =
      target.tls === undefined
        ? http.request(options)
        : https.request(tlsOptions(options, target.tls));
    socket.on('error', () => upReq.destroy());
    upReq.on('upgrade', (upRes, upSocket, upHead) => {
      writeHead(socket, upRes);
      if (upHead.length > 0) socket.write(upHead);
      if (head.length > 0) upSocket.write(head);
      upSocket.on('error', () => socket.destroy());
      socket.on('error', () => upSocket.destroy());
      upSocket.on('close', () => socket.destroy());
      socket.on('close', () => upSocket.destroy());
      upSocket.pipe(socket).pipe(upSocket);
      resolve(upRes.statusCode ?? 101);
    });
    upReq.on('response', (upRes) => {
      writeHead(socket, upRes);
      upRes.pipe(socket);
      resolve(upRes.statusCode ?? 502);
    });
    upReq.on('error', () => {
      rejectUpgrade(socket, 502, 'connect-failed');
      resolve(502);
    });
    upReq.end();
  });
}
