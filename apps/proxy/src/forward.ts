import {
  ServerResponse,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import type { Readable } from 'node:stream';
import { sendAttempt, type AttemptError, type AttemptOutcome, type AttemptTarget } from './attempt';
import type { EndpointState } from './balancer/endpointState';
import type { Tunnel } from './entry';
import { GrpcOutcome } from './h2/grpc';
import {
  discardResponse,
  drainResponse,
  type BodySink,
  type DirectBody,
  type UpstreamResponse,
} from './h2/upstreamResponse';
import { endToEnd } from './headers';
import { labelMerges } from './labelSets';
import type { HttpLabels, ProxyMetrics } from './metrics';
import type { RetryBudget } from './retryBudget';
import { spliceTunnel } from './tunnel';

export interface Pick {
  target: AttemptTarget;
  state: EndpointState | undefined;
  /** dst_* labels (outbound) and server_id: a shared object, made once per endpoint. */
  labels: Partial<HttpLabels>;
  /** `address:port`, filled in by forward() the first time a shared pick is used */
  peer?: string;
}

export interface ForwardPlan {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body: Buffer | Readable | undefined;
  /** Shared (labelSets.ts): merged with each pick's labels once, not per request. */
  labels: HttpLabels;
  pick: (exclude: ReadonlySet<EndpointState>) => Pick | undefined;
  timeoutMs: number;
  maxRetries: number;
  retryOnStatuses: readonly number[];
  retryBackoffMs?: number;
  idempotent: boolean;
  budget: RetryBudget | undefined;
  retryLabels: { direction: string; dst_namespace: string; dst_service: string };
  onEjected?: (state: EndpointState) => void;
  /** Set for an Upgrade: a 101 from upstream splices the tunnel instead of relaying a response. */
  tunnel?: Tunnel | undefined;
}

export interface ForwardResult {
  status: number;
  proxyError: string | undefined;
  /** True when proxyError was reported by the peer proxy rather than made here. */
  remoteError?: boolean;
  retries: number;
  peer: string | undefined;
  labels: HttpLabels;
  /** The call's grpc-status, filled in as the response (or its trailers) is relayed. */
  grpc?: GrpcOutcome;
}

export const PROXY_ERROR_HEADER = 'x-meshlens-proxy-error';

/** The bounded reason token of a peer's proxy-error header ("forbidden: ..." -> "forbidden"). */
export function proxyErrorReason(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return undefined;
  const token = value.split(':', 1)[0]?.trim().toLowerCase() ?? '';
  return /^[a-z0-9-]{1,40}$/.test(token) ? token : 'other';
}

/** Writes an error the proxy itself produced: status + reason header, small text body. */
export function sendProxyError(res: ServerResponse, status: number, reason: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `meshlens proxy: ${reason}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    [PROXY_ERROR_HEADER]: reason,
  });
  res.end(body);
}

const NOTHING_EXCLUDED: ReadonlySet<EndpointState> = new Set();

const ERROR_STATUS: Record<AttemptError, [number, string]> = {
  connect: [502, 'connect-failed'],
  reset: [502, 'upstream-reset'],
  timeout: [504, 'timeout'],
  tls: [502, 'tls-failed'],
  refused: [502, 'stream-refused'],
};

/**
 * Sends a request upstream with retries, timeouts and endpoint feedback, then streams the
 * response back. Resolves when the response headers went out (or an error was sent).
 */
export async function forward(plan: ForwardPlan, metrics: ProxyMetrics): Promise<ForwardResult> {
  // made on the first retry: most requests have none
  let exclude: Set<EndpointState> | undefined;
  let retries = 0;
  let timedOut = false;
  let clientGone = false;
  // the attempt in flight, cancelled by the timeout or the client's going away
  let current: { cancel(): void } | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    current?.cancel();
  }, plan.timeoutMs);
  const onClose = () => {
    if (!plan.res.writableFinished) {
      clientGone = true;
      current?.cancel();
    }
  };
  // removed in `finally`, so a plain listener (once() would wrap it per request)
  plan.res.on('close', onClose);
  let labels: HttpLabels = plan.labels;
  const upgrade = plan.tunnel !== undefined;
  if (upgrade) {
    // endToEnd dropped them as hop-by-hop; for this hop they are the request.
    plan.headers.connection = 'Upgrade';
    plan.headers.upgrade = plan.req.headers.upgrade;
  }
  try {
    for (;;) {
      const pick = plan.pick(exclude ?? NOTHING_EXCLUDED);
      if (pick === undefined) {
        sendProxyError(plan.res, 503, 'no-endpoints');
        return { status: 503, proxyError: 'no-endpoints', retries, peer: undefined, labels };
      }
      labels = labelMerges.merge(plan.labels, pick.labels);
      const state = pick.state;
      const t0 = performance.now();
      state?.start(Date.now());
      const attempt = sendAttempt(pick.target, {
        method: plan.method,
        path: plan.path,
        headers: plan.headers,
        body: plan.body,
        onContinue: () => plan.res.writeContinue(),
        upgrade,
      });
      current = attempt;
      const outcome: AttemptOutcome = await attempt.outcome;
      current = undefined;
      const rtt = performance.now() - t0;
      const peer = (pick.peer ??= `${pick.target.address}:${pick.target.port}`);
      if (clientGone) {
        state?.release();
        if (outcome.kind === 'response') discardResponse(outcome.res);
        if (outcome.kind === 'upgrade') outcome.socket.destroy();
        return { status: 499, proxyError: 'client-closed', retries, peer, labels };
      }
      if (outcome.kind === 'upgrade') {
        // sendAttempt listens for a 101 only when plan.tunnel is set.
        if (plan.tunnel === undefined) {
          outcome.socket.destroy();
          state?.release();
          throw new Error('101 to a request that was no Upgrade');
        }
        clearTimeout(timer);
        state?.observe(Date.now(), rtt, 'ok');
        // The endpoint stays "in flight" while the tunnel is open: p2c spreads long-lived
        // connections as it spreads slow requests.
        spliceTunnel(plan.tunnel, plan.res, outcome.res, outcome.socket, outcome.head, () =>
          state?.release(),
        );
        return { status: 101, proxyError: undefined, retries, peer, labels };
      }
      if (outcome.kind === 'response') {
        const status = outcome.res.statusCode;
        const failed = status >= 500;
        if (state?.observe(Date.now(), rtt, failed ? 'failure' : 'ok') === true)
          plan.onEjected?.(state);
        if (plan.retryOnStatuses.includes(status) && mayRetry(plan, retries, 'status', metrics)) {
          state?.release();
          drainResponse(outcome.res);
          if (state !== undefined) (exclude ??= new Set()).add(state);
          retries++;
          metrics.retries.inc({ ...plan.retryLabels, reason: 'status' });
          await backoff(plan.retryBackoffMs);
          continue;
        }
        clearTimeout(timer);
        const grpc = new GrpcOutcome();
        relay(plan.res, outcome.res, state, grpc);
        // The peer proxy answered for the app (authorization denial, injected fault, ...): the
        // caller's edge must count it as the failure it is, not as an app's 4xx.
        const remote = proxyErrorReason(outcome.res.headers[PROXY_ERROR_HEADER]);
        if (remote !== undefined) {
          return { status, proxyError: remote, remoteError: true, retries, peer, labels, grpc };
        }
        return { status, proxyError: undefined, retries, peer, labels, grpc };
      }
      const refused = outcome.error === 'connect';
      if (state?.observe(Date.now(), rtt, refused ? 'refused' : 'failure') === true)
        plan.onEjected?.(state);
      state?.release();
      // A peer with the wrong identity stays wrong: no retry for TLS failures.
      if (!timedOut && outcome.error !== 'timeout' && outcome.error !== 'tls') {
        const kind = outcome.error === 'connect' ? 'connect' : 'reset';
        // Never sent or never processed (h2 only): safe for any method if the body is still ours.
        const unseen = outcome.neverSent === true || outcome.neverProcessed === true;
        const bodyIntact =
          outcome.neverSent === true || plan.body === undefined || Buffer.isBuffer(plan.body);
        if (mayRetry(plan, retries, kind, metrics, unseen && bodyIntact)) {
          if (state !== undefined) (exclude ??= new Set()).add(state);
          retries++;
          metrics.retries.inc({ ...plan.retryLabels, reason: kind });
          await backoff(plan.retryBackoffMs);
          continue;
        }
      }
      const [code, reason] = ERROR_STATUS[timedOut ? 'timeout' : outcome.error];
      sendProxyError(plan.res, code, reason);
      return { status: code, proxyError: reason, retries, peer, labels };
    }
  } finally {
    clearTimeout(timer);
    plan.res.off('close', onClose);
  }
}

function mayRetry(
  plan: ForwardPlan,
  retries: number,
  kind: 'connect' | 'reset' | 'status',
  metrics: ProxyMetrics,
  unseen = false,
): boolean {
  // Only a body we still hold can be sent again; a streamed one is gone (unless never touched).
  const replayable = unseen || plan.body === undefined || Buffer.isBuffer(plan.body);
  if ((!plan.idempotent && !unseen) || !replayable) {
    if (plan.maxRetries > 0) metrics.retriesSkipped.inc({ ...plan.retryLabels, reason: 'unsafe' });
    return false;
  }
  if (retries >= plan.maxRetries) {
    if (plan.maxRetries > 0)
      metrics.retriesSkipped.inc({ ...plan.retryLabels, reason: 'attempts' });
    return false;
  }
  void kind;
  if (plan.budget !== undefined && !plan.budget.tryRetry(Date.now())) {
    metrics.retriesSkipped.inc({ ...plan.retryLabels, reason: 'budget' });
    return false;
  }
  return true;
}

/**
 * Streams the upstream response to the client with backpressure, then its trailers (gRPC's
 * grpc-status; HTTP/1.1 clients get them in the chunked encoding).
 */
function relay(
  res: ServerResponse,
  up: UpstreamResponse,
  state: EndpointState | undefined,
  grpc: GrpcOutcome,
): void {
  grpc.note(up.headers);
  const headers = endToEnd(up.headers);
  // HTTP/2 has no reason phrase (Node warns when given one).
  if (isHttp2(res)) {
    // A gRPC trailers-only answer must end the stream with its HEADERS frame, which Node's
    // compatibility response cannot send: its status goes as trailers instead (equivalent).
    const status = takeGrpcStatus(headers);
    res.writeHead(up.statusCode, headers);
    if (status !== undefined) res.addTrailers(status);
  } else {
    res.writeHead(up.statusCode, up.statusMessage, headers);
  }
  if (up.direct !== undefined) {
    new DirectRelay(res, up.direct, grpc, state);
    return;
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    state?.release();
  };
  const body = up.body;
  let ended = false;
  body.pipe(res, { end: false });
  body.once('end', () => {
    ended = true;
    const trailers = up.trailers();
    if (trailers !== undefined && hasKeys(trailers)) {
      grpc.note(trailers);
      res.addTrailers(endToEnd(trailers));
    }
    res.end();
  });
  body.on('error', () => {
    release();
    res.destroy();
  });
  body.once('close', () => {
    if (!ended) res.destroy();
  });
  res.on('close', () => {
    release();
    if (!ended) body.destroy();
  });
}

/**
 * The relay of a direct body: chunks written as they come, the sender paused while res is full.
 * One object with methods per response (it is the body's sink) instead of a sink literal and
 * four closures.
 */
class DirectRelay implements BodySink {
  private ended = false;
  private waiting = false;
  private released = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly body: DirectBody,
    private readonly grpc: GrpcOutcome,
    private readonly state: EndpointState | undefined,
  ) {
    res.once('close', this.onClose);
    body.attach(this);
  }

  data(chunk: Buffer): boolean {
    const res = this.res;
    if (res.write(chunk) || res.destroyed) return true;
    if (!this.waiting) {
      this.waiting = true;
      res.once('drain', this.onDrain);
    }
    return false;
  }

  end(trailers: IncomingHttpHeaders | undefined): void {
    this.ended = true;
    if (trailers !== undefined && hasKeys(trailers)) {
      this.grpc.note(trailers);
      this.res.addTrailers(endToEnd(trailers));
    }
    this.res.end();
  }

  error(): void {
    this.ended = true;
    this.release();
    this.res.destroy();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.state?.release();
  }

  private readonly onDrain = (): void => {
    this.waiting = false;
    this.body.resume();
  };

  private readonly onClose = (): void => {
    this.release();
    if (!this.ended) this.body.abort();
  };
}

/** The pipeline's response is Node's HTTP/2 compatibility response for requests that came as h2. */
export function isHttp2(res: ServerResponse): boolean {
  return !(res instanceof ServerResponse);
}

function takeGrpcStatus(headers: OutgoingHttpHeaders): Record<string, string> | undefined {
  const status = headers['grpc-status'];
  if (status === undefined) return undefined;
  const out: Record<string, string> = { 'grpc-status': String(status) };
  const message = headers['grpc-message'];
  if (message !== undefined) out['grpc-message'] = String(message);
  delete headers['grpc-status'];
  delete headers['grpc-message'];
  return out;
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

function backoff(ms: number | undefined): Promise<void> | undefined {
  if (ms === undefined || ms <= 0) return undefined;
  return new Promise((r) => setTimeout(r, ms));
}
