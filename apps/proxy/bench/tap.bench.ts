/**
 * Tap overhead. One outbound proxy (bundled, tracing off) in front of a minimal upstream, driven
 * at saturation by one load client. Scenarios, interleaved over ROUNDS rounds so machine noise
 * hits them alike:
 *   idle      tap compiled in, nobody tapping (the pipeline reads `tap.active` and moves on)
 *   nothing   one tap stream whose filter matches no request (each request is matched)
 *   all       one tap stream taking every request (maxRps 1000; the cost of tapping)
 * A "no tap" build is not practical (the hooks are plain code in the pipeline); `idle` vs
 * `nothing` bounds the idle cost from above: idle does strictly less work than `nothing`.
 * Prints medians and ratios against `idle` measured in the same run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProxy } from './measure';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 6000);
const CONCURRENCY = 32;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MAX_MS = 20_000;
const CLK_TCK = 100;
const TOKEN = 'bench-tap-token-0123456789';

const children: ChildProcess[] = [];

function start(args: string[], what: string): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start`)), 30_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      for (const line of out.split('\n')) {
        if (line.includes('"port"')) {
          clearTimeout(timer);
          resolve({ ...(JSON.parse(line) as Record<string, unknown>), pid: child.pid });
          return;
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`${what} exited ${code}`)));
  });
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function once(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/api/items', headers: { host: 'up.bench' }, agent },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function saturate(port: number, pid: number): Promise<{ rps: number; cpuUs: number }> {
  for (let i = 0; i < 300; i++) await once(port);
  let next = 0;
  const ticks0 = cpuTicks(pid);
  const t0 = performance.now();
  const worker = async () => {
    while (next < REQUESTS && performance.now() - t0 < MAX_MS) {
      next++;
      await once(port);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const secs = (performance.now() - t0) / 1000;
  const cpu = ((cpuTicks(pid) - ticks0) / CLK_TCK) * 1e6;
  return { rps: next / secs, cpuUs: cpu / next };
}

/** A tap stream on the admin port; resolves once it answered 200, returns a closer. */
function subscribe(admin: number, query: string): Promise<{ close(): void; events(): number }> {
  return new Promise((resolve, reject) => {
    let lines = 0;
    const req = http.get(
      {
        host: '127.0.0.1',
        port: admin,
        path: `/tap?${query}`,
        headers: { authorization: `Bearer ${TOKEN}` },
      },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`tap answered ${res.statusCode}`));
        res.on('data', (c: Buffer) => {
          for (const b of c) if (b === 10) lines++;
        });
        res.on('error', () => undefined);
        resolve({ close: () => req.destroy(), events: () => lines });
      },
    );
    req.on('error', reject);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  buildProxy(root);
  const upstream = await start([path.join(here, 'upstream.mjs')], 'upstream');
  const dir = mkdtempSync(path.join(tmpdir(), 'meshlens-tap-bench-'));
  const discovery = path.join(dir, 'discovery.json');
  writeFileSync(
    discovery,
    JSON.stringify({
      endpoints: [
        { namespace: 'bench', service: 'up', address: '127.0.0.1', port: upstream.port as number },
      ],
    }),
  );
  const tokenFile = path.join(dir, 'tap-token');
  writeFileSync(tokenFile, TOKEN);
  const proxy = await start(
    [
      'dist/main.mjs',
      '--service',
      'client',
      '--namespace',
      'bench',
      '--discovery-file',
      discovery,
      '--tap-token-file',
      tokenFile,
      '--log-level',
      'warn',
    ],
    'proxy',
  );
  const port = (proxy.outbound as { port: number }).port;
  const admin = (proxy.admin as { port: number }).port;
  const pid = proxy.pid as number;

  const results: Record<string, { rps: number[]; cpu: number[] }> = {
    idle: { rps: [], cpu: [] },
    nothing: { rps: [], cpu: [] },
    all: { rps: [], cpu: [] },
  };
  let tapped = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of ['idle', 'nothing', 'all'] as const) {
      const sub =
        name === 'idle'
          ? undefined
          : await subscribe(admin, name === 'nothing' ? 'path=/never-matches' : 'maxRps=1000');
      const r = await saturate(port, pid);
      if (sub !== undefined) {
        if (name === 'all') tapped += sub.events();
        sub.close();
      }
      results[name]?.rps.push(r.rps);
      results[name]?.cpu.push(r.cpuUs);
    }
  }
  const base = results.idle!;
  console.log(
    `\nmeshlens tap bench: 1 outbound proxy, ${REQUESTS} requests x ${CONCURRENCY} concurrent per run, ${ROUNDS} interleaved rounds, medians (tracing off)`,
  );
  console.log('scenario                         rps  x idle   cpu us/req  x idle   runs (rps)');
  const label = {
    idle: 'tap idle (nobody tapping)',
    nothing: 'tap, filter matches nothing',
    all: 'tap, every request (<=1000/s)',
  };
  for (const name of ['idle', 'nothing', 'all'] as const) {
    const r = results[name]!;
    console.log(
      [
        label[name].padEnd(30),
        median(r.rps).toFixed(0).padStart(6),
        (median(r.rps) / median(base.rps)).toFixed(3).padStart(7),
        median(r.cpu).toFixed(0).padStart(12),
        (median(r.cpu) / median(base.cpu)).toFixed(3).padStart(7),
        `   ${r.rps.map((x) => x.toFixed(0)).join(' ')}`,
      ].join(' '),
    );
  }
  console.log(`(event lines received by the "every request" taps: ${tapped})`);
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGTERM');
    agent.destroy();
  });
