import type { Socket } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher, buildConnector as BuildConnector } from 'undici';
import type { Attempt, AttemptRequest } from './attempt';
import type * as UndiciCoreModule from './undiciCore';
import { classifyError } from './attempt';
import { OutcomeOnce } from './outcomeOnce';
import type { BodySink, DirectBody } from './h2/upstreamResponse';

type UndiciCore = typeof UndiciCoreModule;

/**
 * The plaintext HTTP/1.1 upstream client: undici's keep-alive pools (one per endpoint) instead
 * of `http.Agent` + `ClientRequest`. The profile of the proxy at saturation had Node's client
 * (request object, agent bookkeeping, its IncomingMessage, per-request listeners) as the largest
 * cost after the socket writes themselves; undici does the same exchange with less per request.
 * Only requests whose body the proxy holds (none, or a buffered replayable one) go here:
 * a streamed body, `Expect: 100-continue` and Upgrade stay on `node:http` (see `usable`).
 */
export interface UpstreamPool {
  /**
   * The pool, once undici is loaded. undici (~1 MB of RSS) is loaded on the first request that
   * could use it, not at start: an idle sidecar, or one whose traffic is all mTLS to peers and
   * HTTP/2, never pays for it (issue 11: idle RSS).
   */
  ready(): Dispatcher | Promise<Dispatcher>;
  close(): Promise<void>;
}

let undiciCore: Promise<UndiciCore> | undefined;

export function createUpstreamPool(
  onSocket: (socket: Socket, host: string, port: number) => void,
): UpstreamPool {
  let agent: Dispatcher | undefined;
  let loading: Promise<Dispatcher> | undefined;
  let closed = false;
  const build = ({ Agent, buildConnector }: UndiciCore): Dispatcher => {
    const connector = buildConnector({});
    const connect: BuildConnector.connector = (opts, cb) =>
      connector(opts, (err, socket) => {
        if (err === null) onSocket(socket, opts.hostname, Number(opts.port));
        // undici's callback type is a union of (err, null) and (null, socket)
        (cb as (e: Error | null, s: typeof socket) => void)(err, socket);
      });
    return new Agent({
      connect,
      pipelining: 1,
      // The pipeline's own timer (until response headers) decides; a streamed response (gRPC
      // server streaming, SSE) may idle for as long as the app wants, as with node:http.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  };
  return {
    ready() {
      if (agent !== undefined) return agent;
      loading ??= (undiciCore ??= import('./undiciCore')).then((core) => {
        agent = build(core);
        // closed while loading: the caller's request fails as on a destroyed pool
        if (closed) void agent.destroy();
        return agent;
      });
      return loading;
    },
    close: async () => {
      closed = true;
      await agent?.destroy();
    },
  };
}

const origins = new Map<string, string>();

/** `http://host:port` of an endpoint (IPv6 in brackets), built once per endpoint. */
export function originOf(address: string, port: number): string {
  const key = `${address} ${port}`;
  let origin = origins.get(key);
  if (origin === undefined) {
    origin = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
    if (origins.size > 10_000) origins.clear(); // endpoints churn; the cache stays bounded
    origins.set(key, origin);
  }
  return origin;
}

/** Requests the undici path can carry with the same behaviour as `node:http`. */
export function usable(request: AttemptRequest): boolean {
  const h = request.headers;
  return (
    request.upgrade !== true &&
    (request.body === undefined || Buffer.isBuffer(request.body)) &&
    h.expect === undefined &&
    // undici refuses to send these itself; only a route's header modifier could set them here
    h.connection === undefined &&
    h['keep-alive'] === undefined &&
    h['transfer-encoding'] === undefined &&
    h.upgrade === undefined
  );
}

/**
 * The body of a pool response, buffered until the relay attaches (a microtask or two after the
 * headers; undici may deliver the first chunk in the same read), then written straight through.
 */
class PoolBody implements DirectBody {
  private sink: BodySink | undefined;
  private early: Buffer[] = [];
  private ended = false;
  private trailers: IncomingHttpHeaders | undefined;
  private failure: Error | undefined;
  private dropping = false;

  constructor(private readonly controller: Dispatcher.DispatchController) {}

  attach(sink: BodySink): void {
    this.sink = sink;
    const early = this.early;
    this.early = [];
    let full = false;
    for (const chunk of early) full = !sink.data(chunk) || full;
    if (this.failure !== undefined) sink.error(this.failure);
    else if (this.ended) sink.end(this.trailers);
    else if (full) this.controller.pause();
  }

  resume(): void {
    this.controller.resume();
  }

  drain(): void {
    this.dropping = true;
    this.early = [];
    this.controller.resume();
  }

  abort(): void {
    this.early = [];
    if (!this.ended && this.failure === undefined) this.controller.abort(new Error('discarded'));
  }

  data(chunk: Buffer): void {
    if (this.dropping) return;
    if (this.sink === undefined) {
      this.early.push(chunk);
      // the relay attaches within a few microtasks; do not read a large body into memory meanwhile
      if (this.early.length > 16) this.controller.pause();
    } else if (!this.sink.data(chunk)) {
      this.controller.pause();
    }
  }

  end(trailers: IncomingHttpHeaders): void {
    this.ended = true;
    this.trailers = trailers;
    this.sink?.end(trailers);
  }

  error(err: Error): void {
    this.failure = err;
    this.sink?.error(err);
  }
}

/**
 * One attempt over the pool; the body is relayed directly (see PoolBody). The first attempt of a
 * pool waits for undici to load (a few milliseconds, once); a cancel meanwhile settles at once.
 */
export function sendOverPool(pool: UpstreamPool, origin: string, request: AttemptRequest): Attempt {
  const attempt = new PoolAttempt(request.body !== undefined);
  const options: Dispatcher.DispatchOptions = {
    origin,
    method: request.method,
    path: request.path,
    headers: request.headers as Record<string, string | string[]>,
    body: request.body ?? null,
  };
  const ready = pool.ready();
  if (ready instanceof Promise) {
    // a failure to load undici, or a dispatch that throws on a pool closed meanwhile, settles
    // this attempt instead of becoming an unhandled rejection (settle is once: a dispatched
    // request is settled by its handler)
    ready
      .then((dispatcher) => attempt.dispatch(dispatcher, options))
      .catch((err: unknown) =>
        attempt.settle({
          kind: 'error',
          error: 'connect',
          message: `upstream pool unavailable: ${(err as Error).message}`,
          bodyStarted: attempt.bodyStarted,
          neverSent: true,
        }),
      );
  } else {
    attempt.dispatch(ready, options);
  }
  return attempt;
}

/**
 * The attempt and undici's handler in one object, its callbacks as methods: every request makes
 * one, and the closures of a handler literal (plus a settle-once helper) were among the largest
 * allocations of the proxy's own code at saturation.
 */
class PoolAttempt extends OutcomeOnce implements Attempt, Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private body: PoolBody | undefined;

  constructor(readonly bodyStarted: boolean) {
    super();
  }

  dispatch(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions): void {
    if (!this.settled) dispatcher.dispatch(options, this);
  }

  cancel(): void {
    this.timedOut(this.bodyStarted);
    this.controller?.abort(new Error('timeout'));
  }

  onRequestStart(c: Dispatcher.DispatchController): void {
    this.controller = c;
    // cancelled while queued for a connection
    if (this.settled) c.abort(new Error('timeout'));
  }

  onResponseStart(
    c: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    if (this.settled) {
      c.abort(new Error('timeout'));
      return;
    }
    this.body = new PoolBody(c);
    this.settle({
      kind: 'response',
      res: { statusCode, statusMessage, headers, direct: this.body },
    });
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.body?.data(chunk);
  }

  onResponseEnd(_c: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.body?.end(trailers);
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (this.body !== undefined) {
      this.body.error(err);
      return;
    }
    const e = err as Error & { code?: string };
    // undici reports connection failures with the socket's own code (ECONNREFUSED ...):
    // classifyError tells them from a reset of an established exchange by that code.
    this.settle({
      kind: 'error',
      error: classifyError(e, false),
      message: `${e.code ?? ''} ${e.message}`.trim(),
      bodyStarted: this.bodyStarted,
    });
  }
}
