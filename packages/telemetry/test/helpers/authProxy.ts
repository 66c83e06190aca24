import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestPki } from './testCa';

export interface AuthProxy {
  /** https://127.0.0.1:PORT/prometheus, the way Mimir serves its Prometheus API */
  url: string;
  /** paths asked, in order (after the prefix) */
  paths: string[];
  close(): Promise<void>;
}

const NOT_SERVED = [/^\/api\/v1\/status\//, /^\/api\/v1\/metadata/, /^\/api\/v1\/targets/];

/**
 * What a Prometheus-compatible store in a cluster looks like from outside: TLS from a private CA
 * (client certificate required), a bearer token and a tenant header demanded, a path prefix, and
 * 404 for the endpoints Thanos/Mimir do not serve (status, metadata, targets).
 */
export async function startAuthProxy(
  upstream: string,
  pki: TestPki,
  want: { token: string; tenant: string },
): Promise<AuthProxy> {
  const paths: string[] = [];
  const up = new URL(upstream);
  const server = https.createServer(
    {
      cert: readFileSync(pki.serverCert),
      key: readFileSync(pki.serverKey),
      ca: readFileSync(pki.caFile),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const u = new URL(req.url ?? '/', 'https://x');
      if (!u.pathname.startsWith('/prometheus/')) {
        res.writeHead(404).end('404 page not found');
        return;
      }
      const p = u.pathname.slice('/prometheus'.length);
      paths.push(p);
      if (req.headers.authorization !== `Bearer ${want.token}`) {
        res.writeHead(401).end('Unauthorized');
        return;
      }
      if (req.headers['x-scope-orgid'] !== want.tenant) {
        res.writeHead(401).end('no org id');
        return;
      }
      if (NOT_SERVED.some((re) => re.test(p))) {
        res.writeHead(404).end('404 page not found');
        return;
      }
      const fwd = http.request(
        {
          host: up.hostname,
          port: up.port,
          method: req.method,
          path: `${p}${u.search}`,
          headers: { 'content-type': req.headers['content-type'] ?? 'text/plain' },
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, { 'content-type': r.headers['content-type'] ?? '' });
          r.pipe(res);
        },
      );
      fwd.on('error', () => res.writeHead(502).end('bad gateway'));
      req.pipe(fwd);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/prometheus`,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
