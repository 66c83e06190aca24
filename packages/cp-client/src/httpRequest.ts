import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

/*
 * The client's requests go through node:http(s), not the global fetch: the first fetch loads
 * Node's bundled undici and compiles its llhttp WebAssembly parser, ~12 MB of RSS that every
 * proxy talking to the control plane paid for a handful of small JSON requests and two
 * event streams (docs/adr/0021-proxy-memory.md).
 */

export interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Aborting rejects with the signal's reason (as fetch does), also mid-body. */
  signal?: AbortSignal;
}

/** Sends one request; resolves with the response once its head has arrived. */
export function httpRequest(url: string, init: RequestInit = {}): Promise<IncomingMessage> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? https.request : http.request;
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
  return new Promise((resolve, reject) => {
    const signal = init.signal;
    const req = send(target, { method: init.method ?? 'GET', headers });
    const onAbort = () => req.destroy(abortReason(signal));
    if (signal?.aborted) {
      onAbort();
    } else {
      signal?.addEventListener('abort', onAbort, { once: true });
    }
    req.once('close', () => signal?.removeEventListener('abort', onAbort));
    req.on('error', reject); // on, not once: a second error must not go unhandled
    req.once('response', (res) => {
      // an abort after the head ends the body with the same reason
      if (signal !== undefined) {
        const stop = () => res.destroy(abortReason(signal));
        signal.addEventListener('abort', stop, { once: true });
        res.once('close', () => signal.removeEventListener('abort', stop));
      }
      resolve(res);
    });
    req.end(init.body);
  });
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('request aborted');
}

/** The whole body as text (rejects if the response fails or is aborted). */
export async function readText(res: IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let text = '';
  for await (const chunk of res) text += chunk as string;
  return text;
}

/** The body parsed as JSON, or undefined when it is not JSON. */
export async function readJson(res: IncomingMessage): Promise<unknown> {
  const text = await readText(res);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export const isOk = (res: IncomingMessage): boolean =>
  (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
