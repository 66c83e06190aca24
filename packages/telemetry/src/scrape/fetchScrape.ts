import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';

export interface FetchOptions {
  timeoutMs: number;
  /** decompressed body cap in bytes */
  maxBytes: number;
  headers?: Readonly<Record<string, string>>;
  /** keep-alive agent shared by a scrape loop; a fresh connection per scrape without one */
  agent?: http.Agent;
  /** where bodies of a known length are taken from (give them back once read) */
  pool?: BodyPool;
}

/**
 * Body buffers reused between scrapes. A thread that scrapes ~470 MB a round and drops each body
 * once parsed otherwise leaves them to the collector, which frees external memory only at its
 * next full collection: tens of MB of dead bodies on top of the live ones.
 */
export class BodyPool {
  private readonly free: ArrayBuffer[] = [];

  constructor(private readonly max = 8) {}

  /** `bytes` bytes over a pooled ArrayBuffer (at most twice as large), else a new one. */
  take(bytes: number): Buffer {
    for (let k = this.free.length - 1; k >= 0; k--) {
      const b = this.free[k] as ArrayBuffer;
      if (b.byteLength >= bytes && b.byteLength <= bytes * 2) {
        this.free.splice(k, 1);
        return Buffer.from(b, 0, bytes);
      }
    }
    // allocUnsafeSlow: outside Buffer's shared pool, so the whole ArrayBuffer is the body's
    return Buffer.allocUnsafeSlow(bytes);
  }

  /** Takes back a body nothing reads any more (a Buffer from take(), or one owning its memory). */
  give(body: Buffer): void {
    const b = body.buffer;
    if (b instanceof ArrayBuffer && b.byteLength > 0 && this.free.length < this.max)
      this.free.push(b);
  }
}

export interface FetchedScrape {
  /** the (decompressed) body, undecoded: the worker pool decodes it on its own thread */
  body: Buffer;
  contentType: string | undefined;
}

/** Scrape failures carry a reason fit for the targets page. */
export class ScrapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScrapeError';
  }
}

// OpenMetrics first: it is the format that carries exemplars.
export const SCRAPE_ACCEPT =
  'application/openmetrics-text;version=1.0.0;q=0.6,text/plain;version=0.0.4;q=0.3,*/*;q=0.1';

/**
 * GETs one /metrics endpoint: gzip accepted, the whole exchange bounded by `timeoutMs`, the
 * decompressed body bounded by `maxBytes` (the request is aborted as soon as it is exceeded).
 */
export function fetchScrape(url: string, opts: FetchOptions): Promise<FetchedScrape> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new ScrapeError(`invalid URL ${JSON.stringify(url)}`));
      return;
    }
    const client =
      target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined;
    if (!client) {
      reject(new ScrapeError(`unsupported protocol ${target.protocol}`));
      return;
    }
    let settled = false;
    const fail = (msg: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(new ScrapeError(msg));
    };
    const timer = setTimeout(() => fail(`timeout after ${opts.timeoutMs} ms`), opts.timeoutMs);
    const req = client.get(
      target,
      {
        headers: { accept: SCRAPE_ACCEPT, 'accept-encoding': 'gzip', ...opts.headers },
        agent: opts.agent ?? false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          res.resume();
          fail(`HTTP status ${status}`);
          return;
        }
        const declared = Number(res.headers['content-length']);
        const gzip = /gzip/i.test(res.headers['content-encoding'] ?? '');
        if (!gzip && declared > opts.maxBytes) {
          fail(`body of ${declared} bytes exceeds the limit of ${opts.maxBytes} bytes`);
          return;
        }
        const stream = gzip ? res.pipe(zlib.createGunzip()) : res;
        const body = new BodyBuffer(gzip || !(declared >= 0) ? undefined : declared, opts.pool);
        stream.on('data', (chunk: Buffer) => {
          if (body.length + chunk.length > opts.maxBytes) {
            fail(`body exceeds the limit of ${opts.maxBytes} bytes`);
            stream.destroy();
            return;
          }
          body.push(chunk);
        });
        stream.on('error', (err: Error) =>
          fail(gzip ? `bad gzip body: ${err.message}` : err.message),
        );
        stream.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const ct = res.headers['content-type'];
          resolve({ body: body.finish(), contentType: ct });
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => fail(describeNetError(err)));
  });
}

/**
 * Collects a body into one Buffer that owns its ArrayBuffer (so the worker pool can transfer it
 * without a copy). With a Content-Length the chunks are copied into it as they arrive and freed at
 * once, instead of all being held until a concatenation doubles them.
 */
class BodyBuffer {
  private chunks: Buffer[] = [];
  private sized: Buffer | undefined;
  length = 0;

  constructor(declared: number | undefined, pool: BodyPool | undefined) {
    // outside Buffer's shared pool; only the bytes received are ever handed out
    if (declared !== undefined && declared > 0)
      this.sized = pool ? pool.take(declared) : Buffer.allocUnsafeSlow(declared);
  }

  push(chunk: Buffer): void {
    const sized = this.sized;
    if (sized && this.length + chunk.length <= sized.length) chunk.copy(sized, this.length);
    else {
      // more than announced (HTTP forbids it; stay correct anyway)
      if (sized) this.chunks.push(sized.subarray(0, this.length));
      this.sized = undefined;
      this.chunks.push(chunk);
    }
    this.length += chunk.length;
  }

  finish(): Buffer {
    if (this.sized?.length === this.length) return this.sized;
    const parts = this.sized ? [this.sized.subarray(0, this.length)] : this.chunks;
    const out = Buffer.allocUnsafeSlow(this.length);
    let at = 0;
    for (const p of parts) at += p.copy(out, at);
    return out;
  }
}

function describeNetError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset by peer';
    case 'ENOTFOUND':
      return 'host not found';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    default:
      return err.message;
  }
}
