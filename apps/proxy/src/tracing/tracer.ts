import { randomFillSync } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { SpanExporter } from './spanExporter';
import { extractContext, injectContext, type TraceContext } from './traceContext';

export interface ActiveSpan {
  traceId: string;
  spanId: string;
  sampled: boolean;
  /** Sets the headers that carry this span as parent to the next hop. */
  inject(headers: OutgoingHttpHeaders): void;
  end(
    status: number,
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

  startSpan(kind: 'server' | 'client', name: string, headers: IncomingHttpHeaders): ActiveSpan {
    const parent: TraceContext | undefined = extractContext(headers);
    const random = this.opts.random ?? Math.random;
    const sampled = parent?.sampled ?? random() < this.opts.sampleRate;
    const traceId = parent?.traceId ?? this.ids.hex(16);
    const spanId = this.ids.hex(8);
    const startMs = performance.timeOrigin + performance.now();
    const exporter = this.opts.exporter;
    const format = parent?.format ?? 'none';
    return {
      traceId,
      spanId,
      sampled,
      inject: (out) =>
        injectContext(out, { traceId, spanId, sampled, tracestate: parent?.tracestate }, format),
      end: (status, attributes, proxyError, failed) => {
        if (!sampled || exporter === undefined) return;
        exporter.add({
          traceId,
          spanId,
          parentSpanId: parent?.parentSpanId,
          name,
          kind,
          startMs,
          endMs: performance.timeOrigin + performance.now(),
          attributes: {
            ...attributes,
            'http.response.status_code': status,
            ...(proxyError === undefined ? {} : { 'meshlens.proxy_error': proxyError }),
          },
          // As the metrics classify it: an error the mesh made (denial, injected abort, no
          // endpoints, timeout, connect failure) is a failure whatever its status code, so the
          // trace list and the success rate agree.
          error: status >= 500 || proxyError !== undefined || failed === true,
          ...(proxyError === undefined ? {} : { statusMessage: proxyError }),
        });
      },
    };
  }
}
