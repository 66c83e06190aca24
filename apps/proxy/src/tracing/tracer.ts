import { randomFillSync } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { SpanExporter } from './spanExporter';
import { extractContext, injectContext, type TraceContext } from './traceContext';

export interface ActiveSpan {
  traceId: string;
  spanId: string;
  sampled: boolean;
  /**
   * Whether end() records anything (sampled, with an exporter): callers build the span's
   * attributes only then, since most requests at a 10 % rate are not recorded.
   */
  readonly recording: boolean;
  /** Sets the headers that carry this span as parent to the next hop. */
  inject(headers: OutgoingHttpHeaders): void;
  end(
    status: number,
    /** A fresh object: the status and error are added to it in place. */
    attributes: Record<string, string | number | boolean>,
    proxyError?: string,
    /** Failed although the HTTP status says otherwise (a non-zero grpc-status). */
    failed?: boolean,
  ): void;
}

/** Random ids from a refilled pool: one syscall per 512 ids instead of one per id. */
class IdPool {
  private buf = Buffer.alloc(4096);
  private pos = this.buf.length;
  hex(bytes: number): string {
    if (this.pos + bytes > this.buf.length) {
      randomFillSync(this.buf);
      this.pos = 0;
    }
    const s = this.buf.toString('hex', this.pos, this.pos + bytes);
    this.pos += bytes;
    return s;
  }
}

/**
 * Starts spans from incoming trace context. Sampling respects the parent's decision and
 * uses `sampleRate` only for requests without one. Without an exporter spans are not
 * recorded, but context is still propagated.
 */
export class Tracer {
  private readonly ids = new IdPool();

  constructor(
    private readonly opts: {
      sampleRate: number;
      exporter: SpanExporter | undefined;
      random?: () => number;
    },
  ) {}

  /** The span's name is `${method} ${what}`, made only for a span that is recorded. */
  startSpan(
    kind: 'server' | 'client',
    method: string,
    what: string,
    headers: IncomingHttpHeaders,
  ): ActiveSpan {
    const parent: TraceContext | undefined = extractContext(headers);
    const random = this.opts.random ?? Math.random;
    const sampled = parent?.sampled ?? random() < this.opts.sampleRate;
    const traceId = parent?.traceId ?? this.ids.hex(16);
    const spanId = this.ids.hex(8);
    // Only a recorded span needs its start time (and the clock read).
    const exporter = sampled ? this.opts.exporter : undefined;
    const startMs = exporter === undefined ? 0 : performance.timeOrigin + performance.now();
    return new Span(kind, method, what, traceId, spanId, sampled, parent, startMs, exporter);
  }
}

/**
 * One span: a plain object with methods rather than closures, since every request makes one,
 * recorded or not (an unsampled span still carries its ids to the next hop).
 */
class Span implements ActiveSpan {
  constructor(
    private readonly kind: 'server' | 'client',
    private readonly method: string,
    private readonly what: string,
    readonly traceId: string,
    readonly spanId: string,
    readonly sampled: boolean,
    private readonly parent: TraceContext | undefined,
    private readonly startMs: number,
    /** Set only for a span that is recorded. */
    private readonly exporter: SpanExporter | undefined,
  ) {}

  get recording(): boolean {
    return this.exporter !== undefined;
  }

  inject(out: OutgoingHttpHeaders): void {
    injectContext(
      out,
      {
        traceId: this.traceId,
        spanId: this.spanId,
        sampled: this.sampled,
        tracestate: this.parent?.tracestate,
      },
      this.parent?.format ?? 'none',
    );
  }

  end(
    status: number,
    attributes: Record<string, string | number | boolean>,
    proxyError?: string,
    failed?: boolean,
  ): void {
    if (this.exporter === undefined) return;
    // The caller's object is fresh per call: completed in place rather than copied.
    attributes['http.response.status_code'] = status;
    if (proxyError !== undefined) attributes['meshlens.proxy_error'] = proxyError;
    this.exporter.add({
      traceId: this.traceId,
      spanId: this.spanId,
      parentSpanId: this.parent?.parentSpanId,
      name: `${this.method} ${this.what}`,
      kind: this.kind,
      startMs: this.startMs,
      endMs: performance.timeOrigin + performance.now(),
      attributes,
      // As the metrics classify it: an error the mesh made (denial, injected abort, no
      // endpoints, timeout, connect failure) is a failure whatever its status code, so the
      // trace list and the success rate agree.
      error: status >= 500 || proxyError !== undefined || failed === true,
      ...(proxyError === undefined ? {} : { statusMessage: proxyError }),
    });
  }
}
