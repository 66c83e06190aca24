import type { ClientHttp2Session, ClientHttp2Stream, OutgoingHttpHeaders } from 'node:http2';
import type { IncomingHttpHeaders } from 'node:http';
import {
  classifyError,
  type Attempt,
  type AttemptOutcome,
  type AttemptRequest,
  type AttemptTarget,
} from '../attempt';
import { OutcomeOnce } from '../outcomeOnce';
import { isGrpc } from './grpc';
import { CANCEL, REFUSED_STREAM } from './http2';
import type { H2Mode, H2SessionPool } from './sessionPool';
import type { UpstreamResponse } from './upstreamResponse';

/** Where a request may travel as an HTTP/2 stream. */
export interface H2Route {
  pool: H2SessionPool;
  mode: H2Mode;
  /** A stream was opened on a session: for meshlens_proxy_h2_streams_total. */
  onStream?: () => void;
}

/**
 * Sends one attempt as a stream on the endpoint's shared session, or over HTTP/1.1 (`http1`)
 * when the peer did not offer h2. The session is ready before the body is touched, so a
 * connection that fails leaves a streamed body unread and the request may go elsewhere.
 */
export function sendOverH2(
  target: AttemptTarget,
  route: H2Route,
  request: AttemptRequest,
  http1: () => Attempt,
): Attempt {
  const live = route.pool.ready(target);
  if (live !== undefined) return streamAttempt(live, route, target, request);
  let inner: Attempt | undefined;
  // settled only by cancel(): a timeout while the session is still being opened
  const cancelled = new OutcomeOnce();
  const opened = route.pool.acquire(target, route.mode).then((got): Promise<AttemptOutcome> => {
    if (cancelled.settled) return cancelled.outcome;
    if (got.kind === 'http1') inner = http1();
    else if (got.kind === 'session') inner = streamAttempt(got.session, route, target, request);
    else {
      const error = classifyError(got.error, got.connected);
      return Promise.resolve({
        kind: 'error',
        error,
        message: `${got.error.code ?? ''} ${got.error.message}`.trim(),
        bodyStarted: false,
        neverSent: true,
      });
    }
    return inner.outcome;
  });
  return {
    outcome: Promise.race([opened, cancelled.outcome]),
    cancel: () => {
      cancelled.timedOut(false);
      inner?.cancel();
    },
  };
}

function streamAttempt(
  session: ClientHttp2Session,
  route: H2Route,
  target: AttemptTarget,
  request: AttemptRequest,
): Attempt {
  const body = request.body;
  const stream = session.request(h2Headers(request, route.mode, target), {
    endStream: body === undefined,
  });
  route.onStream?.();
  const attempt = new StreamAttempt(stream);
  if (Buffer.isBuffer(body)) {
    attempt.bodyStarted = true;
    stream.end(body);
  } else if (body !== undefined) {
    attempt.bodyStarted = true;
    body.pipe(stream);
  }
  return attempt;
}

/**
 * One stream's attempt: its listeners are methods bound once to this object, which holds only
 * the stream and its outcome (the request path's per-request state is kept out of closures that
 * could outlive it: ADR 0026).
 */
class StreamAttempt extends OutcomeOnce implements Attempt {
  bodyStarted = false;
  private trailers: IncomingHttpHeaders | undefined;

  constructor(private readonly stream: ClientHttp2Stream) {
    super();
    stream.on('trailers', this.onTrailers);
    stream.on('response', this.onResponse);
    stream.on('error', this.onError);
    stream.on('close', this.onClose);
  }

  cancel(): void {
    this.timedOut(this.bodyStarted);
    this.stream.close(CANCEL);
  }

  private readonly onTrailers = (t: IncomingHttpHeaders): void => {
    this.trailers = t;
  };

  private readonly onResponse = (headers: IncomingHttpHeaders): void => {
    const status = Number(headers[':status']);
    const res: UpstreamResponse = {
      statusCode: Number.isInteger(status) ? status : 502,
      statusMessage: undefined,
      headers: withoutPseudo(headers),
      body: this.stream,
      trailers: () => this.trailers,
    };
    this.settle({ kind: 'response', res });
  };

  private readonly onError = (err: Error & { code?: string | undefined }): void => {
    // REFUSED_STREAM (also sent for streams a GOAWAY cut off): the peer processed nothing.
    const refused = this.stream.rstCode === REFUSED_STREAM;
    this.settle({
      kind: 'error',
      error: refused ? 'refused' : classifyError(err, true),
      message: `${err.code ?? ''} ${err.message}`.trim(),
      bodyStarted: this.bodyStarted,
      ...(refused ? { neverProcessed: true } : {}),
    });
  };

  private readonly onClose = (): void => {
    const refused = this.stream.rstCode === REFUSED_STREAM;
    this.settle({
      kind: 'error',
      error: refused ? 'refused' : 'reset',
      message: `stream closed before its response (code ${this.stream.rstCode})`,
      bodyStarted: this.bodyStarted,
      ...(refused ? { neverProcessed: true } : {}),
    });
  };
}

function h2Headers(
  request: AttemptRequest,
  mode: H2Mode,
  target: AttemptTarget,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const { headers } = request;
  for (const k in headers) {
    if (k === 'host') continue;
    const v = headers[k];
    if (v !== undefined) out[k] = v;
  }
  const host = headers.host;
  out[':method'] = request.method;
  out[':path'] = request.path;
  out[':scheme'] = mode === 'alpn' ? 'https' : 'http';
  out[':authority'] =
    typeof host === 'string' && host !== '' ? host : `${target.address}:${target.port}`;
  // gRPC requires it end to end; an HTTP/1.1 hop (where TE is hop-by-hop) dropped it.
  if (isGrpc(headers)) out.te = 'trailers';
  return out;
}

export function withoutPseudo(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const k in headers) if (k.charCodeAt(0) !== 58) out[k] = headers[k];
  return out;
}
