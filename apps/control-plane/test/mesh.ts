import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CP_MAIN, spawnTs, type Spawned } from './spawn';
import { joinToken } from './helpers';

/** The proxy is another workspace's executable: spawned by path, never imported. */
export const PROXY_MAIN = fileURLToPath(new URL('../../proxy/src/main.ts', import.meta.url));

export interface Cleanup {
  add(fn: () => unknown): void;
  run(): Promise<void>;
}
export function createCleanup(): Cleanup {
  const fns: Array<() => unknown> = [];
  return {
    add: (fn) => void fns.push(fn),
    async run() {
      for (const fn of fns.reverse()) {
        try {
          await fn();
        } catch {
          // keep cleaning up
        }
      }
      fns.length = 0;
    },
  };
}

export interface RunningCp {
  url: string;
  port: number;
  configDir: string;
  dataDir: string;
  adminTokenFile: string;
  proc: Spawned;
}

export async function startCp(
  cleanup: Cleanup,
  opts: {
    args?: string[];
    files?: Record<string, string>;
    port?: number;
    dirs?: { configDir: string; dataDir: string };
  } = {},
): Promise<RunningCp> {
  let dirs = opts.dirs;
  if (!dirs) {
    const root = mkdtempSync(path.join(tmpdir(), 'cp-mesh-'));
    cleanup.add(() => rmSync(root, { recursive: true, force: true }));
    dirs = { configDir: path.join(root, 'config'), dataDir: path.join(root, 'data') };
    mkdirSync(dirs.configDir);
  }
  for (const [name, text] of Object.entries(opts.files ?? {}))
    writeFileSync(path.join(dirs.configDir, name), text);
  const proc = await spawnTs(
    CP_MAIN,
    [
      '--port',
      String(opts.port ?? 0),
      '--config-dir',
      dirs.configDir,
      '--data-dir',
      dirs.dataDir,
      '--lease-ttl-seconds',
      '3',
      '--log-level',
      'warn',
      ...(opts.args ?? []),
    ],
    { name: 'control-plane' },
  );
  cleanup.add(() => proc.stop());
  return {
    url: String(proc.listening['url']),
    port: Number(proc.listening['port']),
    adminTokenFile: String(proc.listening['adminTokenFile']),
    ...dirs,
    proc,
  };
}

export interface App {
  port: number;
  hits: number;
  close(): Promise<void>;
}

/** A real HTTP app answering with its version and the headers the proxy passed on. */
export async function startApp(cleanup: Cleanup, version: string): Promise<App> {
  const app: App = { port: 0, hits: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    app.hits++;
    req.resume();
    const body = JSON.stringify({ version, canary: req.headers['x-canary'] ?? null });
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  app.port = (server.address() as AddressInfo).port;
  app.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  cleanup.add(() => app.close());
  return app;
}

export interface Proxy {
  inbound: number;
  outbound: number;
  admin: number;
  proc: Spawned;
}

export async function startProxy(
  cleanup: Cleanup,
  opts: {
    cp: { url: string; adminTokenFile: string };
    /** A token to use instead of a join token (a projected service-account token). */
    token?: string;
    service: string;
    sa: string;
    version?: string;
    appPort?: number;
    tlsMode?: string;
    namespace?: string;
  },
): Promise<Proxy> {
  const ns = opts.namespace ?? 'shop';
  const workload = opts.version ? `${opts.service}-${opts.version}` : opts.service;
  // Each proxy proves its own service account with a join token, as `npm start` does.
  const tokenDir = mkdtempSync(path.join(tmpdir(), 'proxy-token-'));
  cleanup.add(() => rmSync(tokenDir, { recursive: true, force: true }));
  const tokenFile = path.join(tokenDir, 'token');
  writeFileSync(tokenFile, opts.token ?? (await joinToken(opts.cp, ns, opts.sa)), {
    mode: 0o600,
  });
  const proc = await spawnTs(
    PROXY_MAIN,
    [
      '--namespace',
      ns,
      '--service',
      opts.service,
      '--workload',
      workload,
      '--pod',
      `${workload}-${Math.random().toString(36).slice(2, 7)}`,
      ...(opts.version ? ['--version', opts.version] : []),
      '--service-account',
      opts.sa,
      '--app-port',
      String(opts.appPort ?? 9),
      '--inbound-port',
      '0',
      '--outbound-port',
      '0',
      '--admin-port',
      '0',
      '--control-plane-url',
      opts.cp.url,
      '--token-file',
      tokenFile,
      '--tls-mode',
      opts.tlsMode ?? 'permissive',
      '--log-level',
      'warn',
    ],
    { name: `proxy ${workload}` },
  );
  cleanup.add(() => proc.stop());
  const port = (k: string) => Number((proc.listening[k] as { port?: number } | undefined)?.port);
  return { inbound: port('inbound'), outbound: port('outbound'), admin: port('admin'), proc };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function get(
  port: number,
  opts: { host: string; path?: string; headers?: http.OutgoingHttpHeaders; timeoutMs?: number },
): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: opts.path ?? '/',
        headers: { host: opts.host, ...opts.headers },
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 15_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Runs `total` requests with `concurrency` in flight; returns every reply (or error text). */
export async function load<T>(
  total: number,
  concurrency: number,
  one: (i: number) => Promise<T>,
): Promise<Array<T | Error>> {
  const out: Array<T | Error> = new Array<T | Error>(total);
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      out[i] = await one(i).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

/** Steady traffic until stop() (bounded by maxMs); counts outcomes. */
export function steadyLoad(
  send: () => Promise<Reply>,
  opts: { concurrency: number; maxMs: number },
) {
  const stats = { ok: 0, failed: 0, failures: [] as string[] };
  let stopped = false;
  const deadline = Date.now() + opts.maxMs;
  const worker = async () => {
    while (!stopped && Date.now() < deadline) {
      try {
        const r = await send();
        if (r.status === 200) stats.ok++;
        else {
          stats.failed++;
          if (stats.failures.length < 10)
            stats.failures.push(
              `${r.status} ${String(r.headers['x-meshlens-proxy-error'] ?? '')} ${r.body.slice(0, 200)}`,
            );
        }
      } catch (err) {
        stats.failed++;
        if (stats.failures.length < 10) stats.failures.push(String(err));
      }
      // Steady, not flat out: ~100 requests/s per worker at most.
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const done = Promise.all(Array.from({ length: opts.concurrency }, worker));
  return {
    stats,
    async stop() {
      stopped = true;
      await done;
      return stats;
    },
  };
}

export function versionOf(r: Reply | Error): string {
  if (r instanceof Error) return `error: ${r.message}`;
  if (r.status !== 200)
    return `status ${r.status} ${String(r.headers['x-meshlens-proxy-error'] ?? '')}`.trim();
  return (JSON.parse(r.body) as { version: string }).version;
}

/** For waitFor: a reply that is not the expected version throws, so a timeout says what came back. */
export function expectVersion(r: Reply, version: string): true {
  const got = versionOf(r);
  if (got !== version) throw new Error(`expected ${version}, got ${got}: ${r.body.slice(0, 200)}`);
  return true;
}
