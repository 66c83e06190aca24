import { spawn, type ChildProcess } from 'node:child_process';
import type { Router } from '../src/router';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type AppDeps, type ProxyApp } from '../src/app';
import { FileDiscovery } from '../src/discovery/fileDiscovery';
import { parseFlags, type ProxyFlags } from '../src/flags';
import { createMetrics } from '../src/metrics';

export const proxyDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const silentLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export interface Upstream {
  port: number;
  server: http.Server;
  hits: number;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1:0 that counts requests. */
export async function startUpstream(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) =>
    res.end('ok'),
): Promise<Upstream> {
  const up: Upstream = {
    port: 0,
    hits: 0,
    server: http.createServer((req, res) => {
      up.hits++;
      handler(req, res);
    }),
    close: () =>
      new Promise<void>((resolve) => {
        up.server.closeAllConnections();
        up.server.close(() => resolve());
      }),
  };
  await new Promise<void>((resolve) => up.server.listen(0, '127.0.0.1', resolve));
  up.port = (up.server.address() as AddressInfo).port;
  return up;
}

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'meshlens-proxy-'));
}

export interface EndpointSpec {
  service: string;
  namespace?: string;
  port: number;
  pod?: string;
  workload?: string;
}

export function discoveryYaml(
  endpoints: EndpointSpec[],
  destinations: Record<string, object> = {},
): string {
  return JSON.stringify({
    endpoints: endpoints.map((e) => ({
      namespace: e.namespace ?? 'shop',
      service: e.service,
      workload: e.workload ?? e.service,
      pod: e.pod ?? `${e.service}-${e.port}`,
      address: '127.0.0.1',
      port: e.port,
    })),
    destinations,
  });
}

export interface RunningProxy {
  app: ProxyApp;
  outbound: number;
  inbound: number;
  admin: number;
  discoveryFile: string;
  discovery: FileDiscovery;
  stop(): Promise<void>;
}

/** The proxy in-process (createApp) with a discovery file in a temp dir. */
export async function startProxy(opts: {
  discovery: string;
  args?: string[];
  overrides?: Partial<ProxyFlags>;
  /** mesh configuration in force: routes/faults (outbound) and authorization (inbound) */
  deps?: Pick<AppDeps, 'router' | 'authorizer'>;
  /** routes with this router (e.g. createMeshRouter over a parsed config) */
  router?: Router;
}): Promise<RunningProxy> {
  const discoveryFile = path.join(tempDir(), 'discovery.json');
  writeFileSync(discoveryFile, opts.discovery);
  const parsed = parseFlags(opts.args ?? [], {});
  if (parsed.kind !== 'ok') throw new Error(`bad test flags: ${JSON.stringify(parsed)}`);
  const flags = { ...parsed.flags, ...opts.overrides };
  const metrics = createMetrics();
  const discovery = new FileDiscovery({
    file: discoveryFile,
    logger: silentLogger,
    onReload: (result) => metrics.discoveryReloads.inc({ source: 'file', result }),
  });
  await discovery.start();
  const app = createApp({
    flags,
    logger: silentLogger,
    discovery: [discovery],
    metrics,
    ...opts.deps,
    ...(opts.router === undefined ? {} : { router: opts.router }),
  });
  const bound = await app.start();
  return {
    app,
    discovery,
    discoveryFile,
    outbound: bound.outbound.port,
    inbound: bound.inbound.port,
    admin: bound.admin.port,
    stop: () => app.stop(100),
  };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One HTTP request via a keep-alive agent; resolves with status, headers and body. */
export function request(
  port: number,
  opts: {
    path?: string;
    host?: string;
    method?: string;
    headers?: http.OutgoingHttpHeaders;
    body?: string | Buffer;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: opts.path ?? '/',
        method: opts.method ?? 'GET',
        headers: { ...(opts.host === undefined ? {} : { host: opts.host }), ...opts.headers },
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Runs `total` requests with `concurrency` workers; returns results in completion order. */
export async function load<T>(
  total: number,
  concurrency: number,
  one: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      out.push(await one(i));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface ProxyProcess {
  child: ChildProcess;
  outbound: number;
  inbound: number;
  admin: number;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Spawns `tsx src/main.ts` and waits for its "listening" log line. */
export async function spawnProxy(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ProxyProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: proxyDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const listening = await waitFor(
    () => {
      for (const line of out.split('\n')) {
        if (line.includes('"msg":"listening"'))
          return JSON.parse(line) as Record<string, { port: number }>;
      }
      if (child.exitCode !== null) throw new Error(`proxy exited ${child.exitCode}: ${err}`);
      return undefined;
    },
    20_000,
    'proxy to listen',
  ).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  const port = (k: string) => listening[k]?.port ?? 0;
  return {
    child,
    outbound: port('outbound'),
    inbound: port('inbound'),
    admin: port('admin'),
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
