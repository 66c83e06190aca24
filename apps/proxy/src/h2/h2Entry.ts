import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  Http2Server,
  Http2ServerRequest,
  Http2ServerResponse,
  ServerHttp2Session,
} from 'node:http2';
import type { Socket } from 'node:net';
import type { Pipeline } from '../entry';
import { http2 } from './http2';

export interface H2Entry {
  /** Serves an HTTP/2 connection (the HTTP/2 server and node:http2 are made on the first). */
  accept(socket: Socket): void;
  /** GOAWAY to every session (in-flight streams finish), then destroy what is left. */
  close(drainMs: number): Promise<void>;
}

/**
 * Serves HTTP/2 connections handed over by a listener (h2c prior knowledge on outbound, ALPN h2
 * on the mTLS inbound) into the same pipeline as HTTP/1.1: Node's compatibility request and
 * response have the shape the pipeline uses, so every stream is policed, routed, balanced,
 * counted and traced like any HTTP/1.1 request. One client connection's streams are balanced
 * one by one.
 */
export function serveH2(pipeline: Pipeline): H2Entry {
  const sessions = new Set<ServerHttp2Session>();
  let server: Http2Server | undefined;
  const create = (): Http2Server => {
    const s = http2().createServer({
      // No server push from a proxy; bounded concurrency per client connection.
      settings: { enablePush: false, maxConcurrentStreams: 1000 },
    });
    s.on('session', (session: ServerHttp2Session) => {
      sessions.add(session);
      session.on('error', () => session.destroy());
      session.once('close', () => sessions.delete(session));
    });
    s.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) => {
      normalize(req);
      pipeline(req as unknown as IncomingMessage, res as unknown as ServerResponse);
    });
    return s;
  };
  return {
    accept(socket) {
      server ??= create();
      server.emit('connection', socket);
    },
    close: async (drainMs) => {
      // close(cb) drops cb for a session already closing (say, after the client's GOAWAY):
      // wait for the event instead.
      const all = [...sessions].map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.destroyed) {
              resolve();
              return;
            }
            s.once('close', () => resolve());
            s.close();
          }),
      );
      const timer = setTimeout(() => {
        for (const s of sessions) s.destroy();
      }, drainMs);
      await Promise.all(all);
      clearTimeout(timer);
    },
  };
}

/**
 * The pipeline reads the HTTP/1.1 spelling of a few facts: `host` (`:authority` in HTTP/2) and
 * whether a body follows. An h2 request body of unknown length is what HTTP/1.1 calls chunked;
 * Transfer-Encoding is hop-by-hop, so it is never forwarded, only read by readBody.
 */
function normalize(req: Http2ServerRequest): void {
  const h = req.headers;
  const authority = h[':authority'];
  if (h.host === undefined && authority !== undefined) h.host = authority;
  if (!req.stream.endAfterHeaders && h['content-length'] === undefined) {
    h['transfer-encoding'] = 'chunked';
  }
}

const SNIFF_TIMEOUT_MS = 60_000;
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/**
 * Tells an HTTP/2 prior-knowledge client (gRPC's h2c) from HTTP/1.1 by the connection preface.
 * Reads only as far as the bytes disagree (an HTTP/1.1 method differs by the 2nd byte at most
 * after "P"), then puts them back for whichever server takes the socket.
 */
export function sniffPreface(socket: Socket, onDecided: (h2: boolean) => void): void {
  let seen: Buffer = Buffer.alloc(0);
  // A connection that never says enough would otherwise be held forever (the HTTP server's
  // headersTimeout only starts once it has the socket).
  const timer = setTimeout(() => socket.destroy(), SNIFF_TIMEOUT_MS);
  socket.once('close', () => clearTimeout(timer));
  const onReadable = () => {
    const chunk = socket.read() as Buffer | null;
    if (chunk === null) return;
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, PREFACE.length);
    const agrees = seen.subarray(0, n).equals(PREFACE.subarray(0, n));
    if (agrees && seen.length < PREFACE.length) return;
    socket.off('readable', onReadable);
    clearTimeout(timer);
    socket.unshift(seen);
    onDecided(agrees);
  };
  socket.on('readable', onReadable);
  socket.once('error', () => socket.destroy());
}
