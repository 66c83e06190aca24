/**
 * HTTP/1.1 vs HTTP/2 between two proxies (caller outbound -> mTLS -> callee inbound -> app),
 * both proxies in one child process so its CPU time divided by completed requests is the cost
 * of the pair. Same upstream, same load client, one run each, printed side by side.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 10_000);
const CONCURRENCY = 32;
const MAX_MS = 30_000;
const LATENCY_REQUESTS = 1000;
const CLK_TCK = 100;
const children: ChildProcess[] = [];

function start(args: string[], what: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start`)), 60_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"port"'));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve({ child, port: (JSON.parse(line) as { port: number }).port });
    });
    child.once('exit', (code) => reject(new Error(`${what} exited ${String(code)}`)));
  });
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

let errors = 0;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function once(port: number): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: '/', agent, headers: { host: 'backend.shop' } },
      (res) => {
        if (res.statusCode !== 200) errors++;
        res.resume();
        res.on('end', () => resolve(performance.now() - t0));
      },
    );
    req.on('error', () => {
      errors++;
      resolve(performance.now() - t0);
    });
  });
}

async function saturate(port: number): Promise<{ rps: number; done: number }> {
  let next = 0;
  let done = 0;
  const deadline = Date.now() + MAX_MS;
  const t0 = performance.now();
  const worker = async () => {
    while (next < REQUESTS && Date.now() < deadline) {
      next++;
      await once(port);
      done++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { rps: done / ((performance.now() - t0) / 1000), done };
}

async function scenario(protocol: 'http1' | 'h2', upstream: number) {
  const pair = await start(
    ['--import', 'tsx', 'bench/h2Pair.ts', protocol, String(upstream)],
    `proxies (${protocol})`,
  );
  const pid = pair.child.pid ?? 0;
  for (let i = 0; i < 500; i++) await once(pair.port); // warm-up: JIT, pools, sessions
  errors = 0;
  const before = cpuTicks(pid);
  const sat = await saturate(pair.port);
  const cpuUs = (((cpuTicks(pid) - before) / CLK_TCK) * 1e6) / sat.done;
  const rss = rssMb(pid);
  const lat: number[] = [];
  for (let i = 0; i < LATENCY_REQUESTS; i++) lat.push(await once(pair.port));
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  pair.child.kill('SIGTERM');
  return { protocol, rps: sat.rps, cpuUs, p50: q(0.5), p99: q(0.99), rss, errors };
}

async function main(): Promise<void> {
  const upstream = await start(['bench/upstream.mjs'], 'upstream');
  const rows = [];
  for (const p of ['http1', 'h2'] as const) rows.push(await scenario(p, upstream.port));
  const base = rows[0];
  console.log(
    `meshlens h2 bench: ${REQUESTS} requests x ${CONCURRENCY} HTTP/1.1 client connections through ` +
      `caller outbound -> mTLS -> callee inbound -> app; latency at 1 connection (${LATENCY_REQUESTS} requests); tracing off`,
  );
  console.log(
    'between proxies   rps  x http1  cpu us/req (both proxies)  x http1  p50 ms  p99 ms  rss MB  errors',
  );
  for (const r of rows) {
    console.log(
      [
        r.protocol.padEnd(14),
        r.rps.toFixed(0).padStart(6),
        (r.rps / (base?.rps ?? r.rps)).toFixed(2).padStart(8),
        r.cpuUs.toFixed(0).padStart(26),
        (r.cpuUs / (base?.cpuUs ?? r.cpuUs)).toFixed(2).padStart(8),
        r.p50.toFixed(2).padStart(7),
        r.p99.toFixed(2).padStart(7),
        r.rss.toFixed(0).padStart(7),
        String(r.errors).padStart(7),
      ].join(' '),
    );
  }
}

try {
  await main();
} finally {
  for (const c of children) c.kill('SIGTERM');
  agent.destroy();
}
