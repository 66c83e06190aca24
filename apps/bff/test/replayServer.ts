import { readFileSync } from 'node:fs';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { repoRoot } from './processes';

/** ../shared/testdata beside the checkout (or MESHLENS_TESTDATA); undefined when absent outside CI. */
export function testdataDir(): string | undefined {
  const dir = process.env.MESHLENS_TESTDATA ?? path.resolve(repoRoot, '../shared/testdata');
  try {
    readFileSync(path.join(dir, 'README.md'));
    return dir;
  } catch {
    if (process.env.CI === 'true')
      throw new Error(`test data folder ${dir} is missing (required in CI)`);
    console.warn(`skipping: test data folder ${dir} not found`);
    return undefined;
  }
}

export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export interface Reply {
  status?: number;
  body?: string;
  /** never answer (timeouts) */
  hang?: boolean;
}

export interface ReplayServer {
  url: string;
  /** every request, in order */
  seen: Seen[];
  close(): Promise<void>;
}

/**
 * A backend stand-in on 127.0.0.1:0: `route` looks at the request the BFF sent (and may throw
 * to fail the test's expectations: the reply is then a 599 naming the problem) and returns the
 * recorded body to send back.
 */
export async function startReplay(route: (req: Seen) => Reply): Promise<ReplayServer> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const s: Seen = {
      method: req.method ?? 'GET',
      path: u.pathname,
      query: u.searchParams,
      headers: req.headers,
    };
    seen.push(s);
    let reply: Reply;
    try {
      reply = route(s);
    } catch (err) {
      reply = {
        status: 599,
        body: `unexpected request: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    if (reply.hang) return;
    res.statusCode = reply.status ?? 200;
    res.setHeader('content-type', 'application/json');
    res.end(reply.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
