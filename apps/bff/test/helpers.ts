import { type IncomingHttpHeaders, type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AppDeps, type BffApp, createApp } from '../src/app';

export interface Running {
  url: string;
  port: number;
  bff: BffApp;
  close(): Promise<void>;
}

/** createApp on 127.0.0.1:0 with a real socket; close() also ends open streams. */
export async function startBff(deps: AppDeps): Promise<Running> {
  const bff = createApp(deps);
  const server: Server = createServer(bff.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    bff,
    close: () =>
      new Promise<void>((resolve) => {
        bff.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** GET with full control over headers (fetch will not send a custom Host). */
export function rawGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads a fetch body until `predicate` holds or the deadline passes (streams). */
export async function readUntil(
  res: Response,
  predicate: (text: string) => boolean,
  deadlineMs = 5000,
): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) throw new Error('no body');
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + deadlineMs;
  try {
    while (!predicate(text)) {
      if (Date.now() > deadline)
        throw new Error(`stream condition not met; got ${JSON.stringify(text.slice(0, 200))}`);
      const timeout = new Promise<'timeout'>((r) =>
        setTimeout(() => r('timeout'), deadline - Date.now()).unref(),
      );
      const chunk = await Promise.race([reader.read(), timeout]);
      if (chunk === 'timeout') continue;
      if (chunk.done) break;
      const bytes: Uint8Array = chunk.value as Uint8Array;
      text += decoder.decode(bytes, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text;
}

export const FIXED_NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

export async function getJson(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}
