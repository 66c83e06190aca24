import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Tunnel } from './entry';

/**
 * The last step of an Upgrade the upstream accepted (101): its response head goes to the client
 * as it came (Connection/Upgrade included: they are the handshake), then the bytes are piped
 * both ways until either side closes. Everything before this step is the ordinary pipeline.
 */
export function spliceTunnel(
  tunnel: Tunnel,
  res: ServerResponse,
  upRes: IncomingMessage,
  upSocket: Duplex,
  upHead: Buffer,
  onClosed: () => void,
): void {
  const client = tunnel.socket;
  // The ServerResponse only stood for the answer until now; the socket is a byte pipe from here.
  if (res.socket !== null) res.detachSocket(res.socket);
  client.write(rawHead(upRes));
  if (upHead.length > 0) client.write(upHead);
  if (tunnel.head.length > 0) upSocket.write(tunnel.head);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    client.destroy();
    upSocket.destroy();
    onClosed();
  };
  upSocket.on('error', close);
  client.on('error', close);
  upSocket.on('close', close);
  client.on('close', close);
  upSocket.pipe(client).pipe(upSocket);
}

function rawHead(res: IncomingMessage): string {
  let head = `HTTP/1.1 ${res.statusCode ?? 101} ${res.statusMessage ?? ''}\r\n`;
  const raw = res.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) head += `${raw[i] ?? ''}: ${raw[i + 1] ?? ''}\r\n`;
  return `${head}\r\n`;
}
