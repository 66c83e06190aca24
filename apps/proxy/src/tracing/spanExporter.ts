import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
// node:http rather than fetch: fetch loads undici (~15-20 MB more RSS in the proxy).
import { otlpJson } from './otlpJson';

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 1 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 1 }),
};

/** POSTs a JSON body; resolves with the status, rejects on error or after `timeoutMs`. */
function post(
  url: string,
  body: string,
  timeoutMs: number,
  token: string | undefined,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const secure = u.protocol === 'https:';
    const req = (secure ? https : http).request(
      u,
      {
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`collector timeout after ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

export type AttrValue = string | number | boolean;

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: 'server' | 'client';
  startMs: number; // epoch ms with sub-ms fraction
  endMs: number;
  attributes: Record<string, AttrValue>;
  error: boolean;
  /** OTLP status message of an error span (the proxy error reason) */
  statusMessage?: string;
}

export interface SpanExporterOptions {
  url: string;
  /** File holding the collector's ingest token (re-read per export, so it can be rotated). */
  tokenFile?: string | undefined;
  resource: Record<string, string>;
  maxQueue?: number;
  maxBatch?: number;
  flushIntervalMs?: number;
  timeoutMs?: number;
  onExported?: (n: number) => void;
  onDropped?: (reason: 'queue_full' | 'export_failed', n: number) => void;
  logger?: { warn(o: object, m: string): void };
}

/**
 * Batches spans and posts them as OTLP/HTTP JSON. Bounded queue, one export in flight,
 * short timeout: a slow or dead collector costs dropped spans (counted), never traffic.
 */
export class SpanExporter {
  private queue: Span[] = [];
  private inFlight = false;
  private timer: NodeJS.Timeout;
  private lastWarnMs = 0;
  private readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly timeoutMs: number;

  constructor(private readonly opts: SpanExporterOptions) {
    this.maxQueue = opts.maxQueue ?? 2048;
    this.maxBatch = opts.maxBatch ?? 512;
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.timer = setInterval(() => void this.flush(), opts.flushIntervalMs ?? 1000);
    this.timer.unref();
  }

  add(span: Span): void {
    if (this.queue.length >= this.maxQueue) {
      this.opts.onDropped?.('queue_full', 1);
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.maxBatch && !this.inFlight) void this.flush();
  }

  get queued(): number {
    return this.queue.length;
  }

  async flush(): Promise<void> {
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight = true;
    try {
      const token =
        this.opts.tokenFile === undefined
          ? undefined
          : (await readFile(this.opts.tokenFile, 'utf8')).trim();
      const status = await post(
        this.opts.url,
        otlpJson(batch, this.opts.resource),
        this.timeoutMs,
        token,
      );
      if (status < 200 || status > 299) throw new Error(`collector answered ${status}`);
      this.opts.onExported?.(batch.length);
    } catch (err) {
      this.opts.onDropped?.('export_failed', batch.length);
      const now = Date.now();
      if (now - this.lastWarnMs > 10_000) {
        this.lastWarnMs = now;
        this.opts.logger?.warn(
          { err: (err as Error).message, url: this.opts.url },
          'span export failed',
        );
      }
    } finally {
      this.inFlight = false;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

function attr(key: string, v: AttrValue): object {
  if (typeof v === 'string') return { key, value: { stringValue: v } };
  if (typeof v === 'boolean') return { key, value: { boolValue: v } };
  return Number.isInteger(v)
    ? { key, value: { intValue: String(v) } }
    : { key, value: { doubleValue: v } };
}

function nanos(ms: number): string {
  const whole = Math.floor(ms);
  const frac = Math.round((ms - whole) * 1e6);
  return (BigInt(whole) * 1_000_000n + BigInt(frac)).toString();
}

export function toOtlp(spans: Span[], resource: Record<string, string>): object {
  return {
    resourceSpans: [
      {
        resource: { attributes: Object.entries(resource).map(([k, v]) => attr(k, v)) },
        scopeSpans: [
          {
            scope: { name: 'meshlens-proxy', version: '0.1.0' },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId === undefined ? {} : { parentSpanId: s.parentSpanId }),
              name: s.name,
              kind: s.kind === 'server' ? 2 : 3,
              startTimeUnixNano: nanos(s.startMs),
              endTimeUnixNano: nanos(s.endMs),
              attributes: Object.entries(s.attributes).map(([k, v]) => attr(k, v)),
              status: s.error
                ? {
                    code: 2,
                    ...(s.statusMessage === undefined ? {} : { message: s.statusMessage }),
                  }
                : { code: 1 },
            })),
          },
        ],
      },
    ],
  };
}
