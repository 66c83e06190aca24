import type { IncomingMessage } from 'node:http';
import { createBackoff } from './backoff';
import { httpRequest, isOk, readJson } from './httpRequest';
import type { ClientLogger } from './logger';
import { createSseParser } from './sse';

export interface WatchStreamOptions {
  url: string;
  /** GET by default; a lease stream POSTs its registration. */
  method?: string;
  /** JSON sent with every (re)connect. */
  body?: string;
  /** Asked before every (re)connect, so a rotated token is used on the next attempt. */
  headers: Record<string, string> | (() => Promise<Record<string, string>>);
  logger: ClientLogger;
  /** Called with each event's name and raw data; throwing marks the payload invalid (logged, stream kept). */
  onEvent(event: string, data: string): void;
  /** The server sends a heartbeat comment every few seconds; silence longer than this means a dead peer. */
  idleTimeoutMs?: number;
  backoff?: { initialMs?: number; maxMs?: number };
}

/** A stream the server ends sooner than this after it opened is a failure (backoff). */
const QUICK_END_MS = 500;

/**
 * Keeps one server-sent-events stream open: reconnects with exponential backoff and jitter
 * whenever it ends, fails or goes silent. Returns a function that stops it.
 */
export function watchStream(opts: WatchStreamOptions): () => void {
  const backoff = createBackoff(opts.backoff);
  const idleTimeoutMs = opts.idleTimeoutMs ?? 30_000;
  let stopped = false;
  let current: AbortController | undefined;
  let sleepTimer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  /** Resolves when the server ended the stream after it had run a while: reconnect at once. */
  const runOnce = async (): Promise<void> => {
    const opened = Date.now();
    const ac = new AbortController();
    current = ac;
    const idle = setTimeout(() => ac.abort(new Error('stream idle')), idleTimeoutMs);
    try {
      const headers = typeof opts.headers === 'function' ? await opts.headers() : opts.headers;
      const res = await httpRequest(opts.url, {
        ...(opts.method === undefined ? {} : { method: opts.method }),
        headers: {
          ...headers,
          accept: 'text/event-stream',
          ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(opts.body === undefined ? {} : { body: opts.body }),
        signal: ac.signal,
      });
      if (!isOk(res)) throw new Error(`HTTP ${res.statusCode ?? 0}${await reason(res)}`);
      const type = res.headers['content-type'] ?? '';
      if (!type.startsWith('text/event-stream')) {
        res.resume();
        throw new Error(`expected an event stream, got ${JSON.stringify(type)}`);
      }
      const parse = createSseParser((e) => {
        backoff.reset();
        try {
          opts.onEvent(e.event, e.data);
        } catch (err) {
          opts.logger.warn(
            { err: String(err), url: opts.url },
            'invalid event from the control plane',
          );
        }
      });
      // utf8 decoding that keeps a character split across chunks whole
      res.setEncoding('utf8');
      // Listeners and one re-armed timer rather than `for await` and a timer per chunk: an idle
      // proxy's only work is these streams' heartbeats, and what each one allocates is its RSS.
      await new Promise<void>((resolve, reject) => {
        res.on('data', (chunk: string) => {
          idle.refresh();
          parse(chunk);
        });
        res.once('end', resolve);
        res.once('error', reject);
        // closed without an end: aborted (idle, stop) or the connection dropped
        res.once('close', () => {
          if (!res.readableEnded) reject(abortReason(ac.signal, 'stream closed'));
        });
      });
      // A server may end a long stream on purpose (a lease stream's maximum age): after a while
      // that is a reconnect, not a failure. A stream that ends at once backs off.
      if (Date.now() - opened < QUICK_END_MS) throw new Error('stream ended');
    } finally {
      clearTimeout(idle);
      current = undefined;
    }
  };

  const loop = async () => {
    while (!stopped) {
      try {
        await runOnce();
      } catch (err) {
        if (stopped) return;
        const delay = backoff.next();
        opts.logger.warn(
          {
            url: opts.url,
            err: err instanceof Error ? err.message : String(err),
            retryInMs: Math.round(delay),
          },
          'control plane watch interrupted',
        );
        await new Promise<void>((resolve) => {
          wake = resolve;
          sleepTimer = setTimeout(resolve, delay);
        });
      }
    }
  };
  void loop();
  return () => {
    stopped = true;
    current?.abort();
    clearTimeout(sleepTimer);
    wake?.();
  };
}

/** The control plane's `{ error }` text, so a refused watch says why in the log. */
async function reason(res: IncomingMessage): Promise<string> {
  try {
    const body = await readJson(res);
    if (
      typeof body === 'object' &&
      body !== null &&
      'error' in body &&
      typeof body.error === 'string'
    )
      return `: ${body.error}`;
  } catch {
    // not JSON
  }
  return '';
}

function abortReason(signal: AbortSignal, fallback: string): Error {
  const reason: unknown = signal.reason;
  return signal.aborted && reason instanceof Error ? reason : new Error(fallback);
}
