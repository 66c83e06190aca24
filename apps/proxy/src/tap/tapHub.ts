import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ProxyTapQuery, TapEvent, TapPeer, TapStartEvent } from '@meshlens/contract';
import { redactHeaders } from './redact';
import type { TokenBucket } from './tokenBucket';

/** What the request pipeline knows when a request starts. */
export interface TapStart {
  direction: 'inbound' | 'outbound';
  method: string;
  authority: string;
  path: string;
  tls: boolean;
  src: TapPeer;
  dst: TapPeer;
  /** outbound: the workloads behind the destination service (a `toWorkload` filter matches any) */
  dstWorkloads?: () => readonly string[];
  headers: IncomingHttpHeaders;
}

/** One tap stream (an admin `GET /tap` connection). */
export interface TapSubscriber {
  filter: ProxyTapQuery;
  /** false when the event was dropped (the consumer is too slow) */
  send(event: TapEvent): boolean;
  /** requests over maxRps, since the last notice */
  rateDropped: number;
  bucket: TokenBucket | undefined;
}

interface Local {
  namespace: string;
  workload: string;
  pod: string;
}

const PROXY_ERROR_HEADER = 'x-meshlens-proxy-error';

/**
 * Fan-out of request events to tap streams. The pipeline checks `active` (a plain field) before
 * calling anything, so with nobody tapping the cost is one property read per request.
 */
export class TapHub {
  active = false;
  private readonly subs = new Set<TapSubscriber>();
  private seq = 0;

  constructor(
    private readonly local: Local,
    private readonly redacted: ReadonlySet<string>,
    private readonly now: () => number = Date.now,
  ) {}

  subscribe(sub: TapSubscriber): () => void {
    this.subs.add(sub);
    this.active = true;
    return () => {
      this.subs.delete(sub);
      this.active = this.subs.size > 0;
    };
  }

  get subscribers(): number {
    return this.subs.size;
  }

  /** Called once per request when `active`; returns the handle for the later events, if tapped. */
  start(info: TapStart, res: ServerResponse): TapRequest | undefined {
    let wanted: TapSubscriber[] | undefined;
    for (const sub of this.subs) {
      if (!matches(sub.filter, info)) continue;
      if (sub.bucket !== undefined && !sub.bucket.take(this.now())) {
        sub.rateDropped++;
        continue;
      }
      (wanted ??= []).push(sub);
    }
    if (wanted === undefined) return undefined;
    const id = `${this.local.pod}/${++this.seq}`;
    const base: TapStartEvent = {
      type: 'start',
      id,
      ts: this.now(),
      proxy: { ...this.local },
      direction: info.direction,
      method: info.method,
      scheme: 'http',
      authority: info.authority,
      path: info.path,
      src: info.src,
      dst: info.dst,
      tls: info.tls,
    };
    let withHeaders: TapStartEvent | undefined;
    for (const sub of wanted) {
      if (sub.filter.headers === true) {
        withHeaders ??= { ...base, headers: redactHeaders(info.headers, this.redacted) };
        sub.send(withHeaders);
      } else sub.send(base);
    }
    return new TapRequest(id, wanted, res, this.redacted, this.now);
  }
}

function matches(f: ProxyTapQuery, info: TapStart): boolean {
  if (f.direction !== undefined && f.direction !== info.direction) return false;
  if (f.method !== undefined && f.method !== info.method) return false;
  if (f.authority !== undefined && f.authority.toLowerCase() !== info.authority.toLowerCase())
    return false;
  if (f.path !== undefined && !info.path.startsWith(f.path)) return false;
  if (f.fromNamespace !== undefined && f.fromNamespace !== info.src.namespace) return false;
  if (f.fromWorkload !== undefined && f.fromWorkload !== info.src.workload) return false;
  if (f.toNamespace !== undefined && f.toNamespace !== info.dst.namespace) return false;
  if (f.toWorkload !== undefined && f.toWorkload !== info.dst.workload) {
    const behind = info.dstWorkloads?.() ?? [];
    if (!behind.includes(f.toWorkload)) return false;
  }
  return true;
}

/** The events after `start` of one tapped request: response headers, then end. */
export class TapRequest {
  private readonly t0 = performance.now();
  private status = 0;
  private bytes = 0;
  /** what writeHead sent: Node does not keep headers passed to writeHead in getHeaders() */
  private sent: IncomingHttpHeaders = {};

  constructor(
    readonly id: string,
    private readonly subs: readonly TapSubscriber[],
    private readonly res: ServerResponse,
    private readonly redacted: ReadonlySet<string>,
    private readonly now: () => number,
  ) {
    watchResponse(
      res,
      (n) => (this.bytes += n),
      (h) => (this.sent = h),
    );
    res.once('close', () => this.end());
  }

  /** The response headers went out (status known; outbound: the endpoint picked). */
  responded(status: number, dst?: TapPeer): void {
    this.status = status;
    const base = {
      type: 'headers' as const,
      id: this.id,
      ts: this.now(),
      status,
      sinceStartMs: performance.now() - this.t0,
      ...(dst === undefined ? {} : { dst }),
    };
    let withHeaders: TapEvent | undefined;
    for (const sub of this.subs) {
      if (sub.filter.headers === true) {
        withHeaders ??= { ...base, headers: redactHeaders(this.headersSent(), this.redacted) };
        sub.send(withHeaders);
      } else sub.send(base);
    }
  }

  private headersSent(): IncomingHttpHeaders {
    return Object.keys(this.sent).length > 0 ? this.sent : merged(this.res, undefined);
  }

  private end(): void {
    const res = this.res;
    const status = this.status || res.statusCode;
    const header = this.headersSent()[PROXY_ERROR_HEADER];
    const reason = typeof header === 'string' ? header : undefined;
    const broken = !res.writableFinished;
    const error = reason?.split(':')[0] ?? (broken ? 'stream-reset' : undefined);
    const event: TapEvent = {
      type: 'end',
      id: this.id,
      ts: this.now(),
      status,
      durationMs: performance.now() - this.t0,
      responseBytes: this.bytes,
      ...(error === undefined ? {} : { error }),
      ...(reason === undefined ? {} : { reason }),
    };
    for (const sub of this.subs) sub.send(event);
  }
}

/** Headers as sent: those set with setHeader plus those given to writeHead. */
function merged(res: ServerResponse, given: unknown): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  const put = (k: string, v: unknown) => {
    const text = (x: unknown) =>
      typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' ? String(x) : '';
    if (v === undefined || v === null) return;
    out[k.toLowerCase()] = Array.isArray(v) ? v.map(text).join(', ') : text(v);
  };
  const set: OutgoingHttpHeaders = res.getHeaders();
  for (const [k, v] of Object.entries(set)) put(k, v);
  if (Array.isArray(given)) {
    for (let i = 0; i + 1 < given.length; i += 2) put(String(given[i]), given[i + 1]);
  } else if (typeof given === 'object' && given !== null) {
    for (const [k, v] of Object.entries(given)) put(k, v);
  }
  return out;
}

type Chunk = string | Uint8Array;

function chunkLength(chunk: unknown): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk);
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}

/**
 * Body bytes and headers of one tapped response: its writeHead/write/end are wrapped (only
 * tapped responses pay for this).
 */
function watchResponse(
  res: ServerResponse,
  add: (n: number) => void,
  onHead: (h: IncomingHttpHeaders) => void,
): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  (res as unknown as { writeHead: (...args: unknown[]) => ServerResponse }).writeHead = (
    ...args: unknown[]
  ) => {
    onHead(merged(res, typeof args[1] === 'string' ? args[2] : args[1]));
    return writeHead(...args);
  };
  const write = res.write.bind(res) as (chunk: Chunk, ...rest: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  const wrapped = res as unknown as {
    write: (chunk: Chunk, ...rest: unknown[]) => boolean;
    end: (...args: unknown[]) => ServerResponse;
  };
  wrapped.write = (chunk: Chunk, ...rest: unknown[]) => {
    add(chunkLength(chunk));
    return write(chunk, ...rest);
  };
  wrapped.end = (...args: unknown[]) => {
    if (typeof args[0] !== 'function') add(chunkLength(args[0]));
    return end(...args);
  };
}
