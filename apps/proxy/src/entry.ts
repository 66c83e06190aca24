import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { framingProblem } from './framing';
import { PROXY_ERROR_HEADER } from './forward';

/** The raw connection of an Upgrade request, spliced to the upstream only after a 101. */
export interface Tunnel {
  socket: Duplex;
  /** Bytes the client sent after the request head: the first tunnel bytes. */
  head: Buffer;
}

/**
 * The request pipeline of a listener (inbound or outbound). Every request reaches it, however it
 * entered: `tunnel` is set for an Upgrade that may become a tunnel; it is the pipeline that
 * decides (mTLS, authorization, route, faults, timeout, metrics, span) and only its final step
 * differs for upgrades.
 */
export type Pipeline = (req: IncomingMessage, res: ServerResponse, tunnel?: Tunnel) => void;

export interface Entry {
  /** Connections taken out of the HTTP server (upgrades, CONNECT): stop() ends them. */
  readonly detached: ReadonlySet<Duplex>;
}

/**
 * Sends every way a request can enter `server` into `pipeline`: plain requests, `Expect:
 * 100-continue`, Upgrade and CONNECT. Node hands the last two over as a bare socket; they get a
 * ServerResponse on that socket so the pipeline answers them exactly as any other request.
 * Framing that two parsers could read differently is refused here, before anything else.
 */
export function servePipeline(
  server: http.Server,
  pipeline: Pipeline,
  onMalformed: (detail: string, code?: string) => void,
): Entry {
  const detached = new Set<Duplex>();
  // Connections whose framing was refused: Node may already have parsed what follows the bad
  // request (the smuggled part) in the same chunk; none of it may be forwarded.
  const poisoned = new WeakSet<Socket>();
  const checked = (
    req: IncomingMessage,
    res: ServerResponse,
    tunnel: Tunnel | undefined,
    isDetached: boolean,
  ) => {
    if (poisoned.has(req.socket)) {
      res.destroy();
      return;
    }
    const problem = framingProblem(req, isDetached);
    if (problem === undefined) {
      pipeline(req, res, tunnel);
      return;
    }
    onMalformed(problem.detail);
    poisoned.add(req.socket);
    refuse(req, res, problem.status, problem.reason);
  };
  const attached = (req: IncomingMessage, res: ServerResponse) =>
    checked(req, res, undefined, false);
  server.on('request', attached);
  server.on('checkContinue', attached);
  const takeOver = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    detached.add(socket);
    socket.once('close', () => detached.delete(socket));
    socket.on('error', () => socket.destroy());
    whenIdle(socket, () => {
      const res = new http.ServerResponse(req);
      // The socket left Node's parser: whatever follows this response is not parsed as HTTP.
      res.shouldKeepAlive = false;
      res.assignSocket(socket as Socket);
      res.once('finish', () => socket.end());
      // h2c would carry HTTP/2 requests the mesh never sees (each one unpoliced): it is served
      // as the plain HTTP/1.1 request it also is, as RFC 9110 allows a server to ignore Upgrade.
      // CONNECT is never a tunnel either: the pipeline refuses it.
      const tunnel = req.method === 'CONNECT' || isH2c(req) ? undefined : { socket, head };
      checked(req, res, tunnel, true);
    });
  };
  // What Node's parser refuses itself; nothing more is written on a connection already refused.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!poisoned.has(socket as Socket)) {
      onMalformed(err.message, err.code);
      if (socket.writable) socket.end(MALFORMED);
    }
    socket.destroy();
  });
  server.on('upgrade', takeOver);
  server.on('connect', takeOver);
  return { detached };
}

const MALFORMED =
  'HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n' +
  `${PROXY_ERROR_HEADER}: malformed-request\r\n\r\n`;

function isH2c(req: IncomingMessage): boolean {
  const up = req.headers.upgrade;
  return up !== undefined && /(^|,)\s*h2c\s*(,|$)/i.test(up);
}

/**
 * Runs `fn` once the response to an earlier pipelined request on this socket is written: Node
 * announces an upgrade as soon as it is parsed, and two responses must not interleave.
 */
function whenIdle(socket: Duplex, fn: () => void): void {
  // Node's own marker of the response in progress on a server socket.
  const busy = (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
  if (busy === null || busy === undefined) fn();
  else busy.once('finish', () => whenIdle(socket, fn));
}

/** 400/501 for ambiguous framing; the connection closes, since where the next request starts is unknown. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, reason: string): void {
  const body = `meshlens proxy: ${reason}\n`;
  res.writeHead(status, {
    connection: 'close',
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    [PROXY_ERROR_HEADER]: reason,
  });
  res.end(body, () => req.socket.destroy());
}
