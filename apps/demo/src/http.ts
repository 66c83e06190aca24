import { Agent, request } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { shopNamespace } from './topology';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const MAX_BODY = 64 * 1024;

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new HttpError(413, 'body too large');
    chunks.push(buf);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
}

/** The trace headers an app copies from its inbound request to every call it makes. */
const TRACE_HEADERS = [
  'traceparent',
  'tracestate',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-sampled',
  'x-b3-parentspanid',
];

export function traceHeaders(inbound: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of TRACE_HEADERS) {
    const v = inbound[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

export interface CallResult {
  status: number;
  body: unknown;
  headers: IncomingHttpHeaders;
}

export interface Caller {
  /** Calls `<service>.shop` through the local proxy's outbound listener. */
  call(
    service: string,
    path: string,
    opts?: {
      method?: string;
      body?: unknown;
      headers?: Record<string, string>;
      timeoutMs?: number;
    },
  ): Promise<CallResult>;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * Every call goes to the local proxy's outbound port with `Host: <service>.shop`; the proxy
 * finds the endpoints, balances, retries, secures and counts it. Until the outbound URL is
 * known (npm start hands it over after the proxies are up) calls fail with 503.
 */
export function createCaller(outbound: () => string | undefined): Caller {
  return {
    call(service, path, opts = {}) {
      const base = outbound();
      if (base === undefined)
        return Promise.reject(new HttpError(503, 'no outbound proxy configured yet'));
      const url = new URL(path, base);
      const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      const headers: Record<string, string> = {
        host: `${service}.${shopNamespace}`,
        accept: 'application/json',
        ...opts.headers,
      };
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(Buffer.byteLength(payload));
      }
      return new Promise<CallResult>((resolve, reject) => {
        const req = request(
          url,
          { method: opts.method ?? 'GET', headers, agent, timeout: opts.timeoutMs ?? 5000 },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let body: unknown = text;
              try {
                body = text ? JSON.parse(text) : undefined;
              } catch {
                // a proxy error page is not JSON; keep the text
              }
              resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
            });
            res.on('error', reject);
          },
        );
        req.on('timeout', () =>
          req.destroy(new HttpError(504, `${service} did not answer in time`)),
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
  };
}

/** Sleeps for `ms`; the demo's "work". */
export function work(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
