import http, { type Agent, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { Duplex, Readable } from 'node:stream';
import type { PeerCertificate, SecureContext } from 'node:tls';
import { sendOverH2, type H2Route } from './h2/h2Attempt';
import { fromIncoming, type UpstreamResponse } from './h2/upstreamResponse';
import { OutcomeOnce } from './outcomeOnce';
import { originOf, sendOverPool, usable, type UpstreamPool } from './upstreamPool';

export interface PeerTls {
  secureContext: SecureContext;
  /** Expected SPIFFE id of the server (also the server_id label). */
  serverId: string;
  checkServerIdentity: (host: string, cert: PeerCertificate) => Error | undefined;
}

/** `refused`: an HTTP/2 peer refused the stream (REFUSED_STREAM): nothing was processed. */
export type AttemptError = 'connect' | 'reset' | 'timeout' | 'tls' | 'refused';

export type AttemptOutcome =
  | { kind: 'response'; res: UpstreamResponse }
  /** The upstream accepted an Upgrade (101): its socket is ours to splice. */
  | { kind: 'upgrade'; res: IncomingMessage; socket: Duplex; head: Buffer }
  | {
      kind: 'error';
      error: AttemptError;
      message: string;
      bodyStarted: boolean;
      /** No connection could be made before the body was touched: any request may go elsewhere. */
      neverSent?: boolean;
      /** The peer said it processed nothing (refused stream). */
      neverProcessed?: boolean;
    };

export interface Attempt {
  outcome: Promise<AttemptOutcome>;
  /** Aborts the attempt (timeouts); called as a method. */
  cancel(): void;
}

export interface AttemptTarget {
  address: string;
  port: number;
  agent: Agent;
  /** Set for mTLS to another proxy: our client cert + CA, and a check of the peer's SPIFFE id. */
  tls?: PeerTls | undefined;
  /** Set where the request may travel as a stream on a shared HTTP/2 session. */
  h2?: H2Route | undefined;
  /** Plaintext HTTP/1.1 pool used for the requests it can carry (`usable`); `agent` for the rest. */
  pool?: UpstreamPool | undefined;
}

export interface AttemptRequest {
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  /** A Buffer can be replayed; a stream is consumed by the first attempt. */
  body: Buffer | Readable | undefined;
  onContinue?: () => void;
  /** An Upgrade request: a 101 settles the attempt with the upstream's socket. */
  upgrade?: boolean;
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Sends one attempt. Resolves with the response headers or with a classified error; never
 * rejects. `cancel` aborts it (timeouts).
 */
export function sendAttempt(target: AttemptTarget, request: AttemptRequest): Attempt {
  // HTTP/2 has no Upgrade: a WebSocket keeps its own HTTP/1.1 connection.
  if (target.h2 !== undefined && request.upgrade !== true) {
    return sendOverH2(target, target.h2, request, () => sendHttp1(target, request));
  }
  if (target.pool !== undefined && target.tls === undefined && usable(request)) {
    return sendOverPool(target.pool, originOf(target.address, target.port), request);
  }
  return sendHttp1(target, request);
}

function sendHttp1(target: AttemptTarget, request: AttemptRequest): Attempt {
  let bodyStarted = false;
  let connected = false;
  const once = new OutcomeOnce();
  const settle = (o: AttemptOutcome) => once.settle(o);
  const options = {
    host: target.address,
    port: target.port,
    method: request.method,
    path: request.path,
    headers: request.headers,
    agent: target.agent,
    setHost: false,
  };
  const req =
    target.tls === undefined
      ? http.request(options)
      : https.request(tlsOptions(options, target.tls));
  req.on('socket', (socket) => {
    if ((socket as { connecting?: boolean }).connecting === true) {
      socket.once('connect', () => (connected = true));
    } else {
      connected = true;
    }
  });
  req.on('response', (res) => settle({ kind: 'response', res: fromIncoming(res) }));
  if (request.upgrade === true) {
    req.on('upgrade', (res, socket, head) => {
      if (once.settled) socket.destroy();
      else settle({ kind: 'upgrade', res, socket, head });
    });
  }
  req.on('continue', () => request.onContinue?.());
  req.on('error', (err: NodeJS.ErrnoException) => {
    const error = classifyError(err, connected);
    settle({
      kind: 'error',
      error,
      message: `${err.code ?? ''} ${err.message}`.trim(),
      bodyStarted,
    });
  });
  const body = request.body;
  if (body === undefined) {
    req.end();
  } else if (Buffer.isBuffer(body)) {
    bodyStarted = true;
    req.end(body);
  } else {
    bodyStarted = true;
    body.pipe(req);
  }
  return {
    outcome: once.outcome,
    cancel: () => {
      once.timedOut(bodyStarted);
      req.destroy();
    },
  };
}

/** Refused connection, TLS/identity failure, or a reset of an established exchange. */
export function classifyError(
  err: Error & { code?: string | undefined },
  connected: boolean,
): AttemptError {
  const code = err.code ?? '';
  // checkServerIdentity errors carry no code, only the SPIFFE check's message.
  const tlsFailure =
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    code.includes('CERT') ||
    /spiffe|peer identity|peer certificate/i.test(err.message);
  if (tlsFailure) return 'tls';
  if (!connected && CONNECT_CODES.has(code)) return 'connect';
  return 'reset';
}

/** TLS options for https.request; `secureContext` reaches tls.connect but is not in the type. */
export function tlsOptions(
  options: https.RequestOptions,
  tls: NonNullable<AttemptTarget['tls']>,
): https.RequestOptions {
  const withContext: https.RequestOptions & { secureContext: SecureContext } = {
    ...options,
    secureContext: tls.secureContext,
    // Mesh certificates name no host: the chain is verified against our CA by node, the
    // SPIFFE id by checkServerIdentity.
    checkServerIdentity: tls.checkServerIdentity,
    minVersion: 'TLSv1.3',
  };
  return withContext;
}
