import http, {
  type Agent,
  type ClientRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import https from 'node:https';
import type { Duplex, Readable } from 'node:stream';
import type { PeerCertificate, SecureContext } from 'node:tls';

export interface PeerTls {
  secureContext: SecureContext;
  /** Expected SPIFFE id of the server (also the server_id label). */
  serverId: string;
  checkServerIdentity: (host: string, cert: PeerCertificate) => Error | undefined;
}

export type AttemptError = 'connect' | 'reset' | 'timeout' | 'tls';

export type AttemptOutcome =
  | { kind: 'response'; res: IncomingMessage }
  /** The upstream accepted an Upgrade (101): its socket is ours to splice. */
  | { kind: 'upgrade'; res: IncomingMessage; socket: Duplex; head: Buffer }
  | { kind: 'error'; error: AttemptError; message: string; bodyStarted: boolean };

export interface AttemptTarget {
  address: string;
  port: number;
  agent: Agent;
  /** Set for mTLS to another proxy: our client cert + CA, and a check of the peer's SPIFFE id. */
  tls?: PeerTls | undefined;
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
export function sendAttempt(
  target: AttemptTarget,
  request: AttemptRequest,
): { outcome: Promise<AttemptOutcome>; cancel: () => void; req: ClientRequest } {
  let settled = false;
  let bodyStarted = false;
  let connected = false;
  let resolveFn: (o: AttemptOutcome) => void = () => undefined;
  const outcome = new Promise<AttemptOutcome>((resolve) => (resolveFn = resolve));
  const settle = (o: AttemptOutcome) => {
    if (settled) return;
    settled = true;
    resolveFn(o);
  };
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
  req.on('response', (res) => settle({ kind: 'response', res }));
  if (request.upgrade === true) {
    req.on('upgrade', (res, socket, head) => {
      if (settled) socket.destroy();
      else settle({ kind: 'upgrade', res, socket, head });
    });
  }
  req.on('continue', () => request.onContinue?.());
  req.on('error', (err: NodeJS.ErrnoException) => {
    const code = err.code ?? '';
    let error: AttemptError = 'reset';
    // checkServerIdentity errors carry no code, only the SPIFFE check's message.
    const tlsFailure =
      code.startsWith('ERR_TLS') ||
      code.startsWith('ERR_SSL') ||
      code.includes('CERT') ||
      /spiffe|peer identity|peer certificate/i.test(err.message);
    if (tlsFailure) error = 'tls';
    else if (!connected && CONNECT_CODES.has(code)) error = 'connect';
    settle({ kind: 'error', error, message: `${code} ${err.message}`.trim(), bodyStarted });
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
    outcome,
    req,
    cancel: () => {
      settle({ kind: 'error', error: 'timeout', message: 'timeout', bodyStarted });
      req.destroy();
    },
  };
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
