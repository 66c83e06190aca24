/**
 * Side-by-side benchmark on loopback with one load client: direct, one meshlens hop,
 * two meshlens hops (outbound + inbound, as in the mesh) and one node-http-proxy hop.
 * Prints throughput at saturation, p50/p99 at a fixed 1,000 rps, proxy CPU per request
 * (from /proc/<pid>/stat) and proxy RSS. Every loop is bounded in count and time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const SAT_REQUESTS = Number(process.env.BENCH_REQUESTS ?? 10_000);
const SAT_CONCURRENCY = 32;
const SAT_MAX_MS = 20_000;
const PACED_RPS = 1000;
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 4);
const CLK_TCK = 100;

const children: ChildProcess[] = [];

function start(
  args: string[],
  what: string,
): Promise<{ child: ChildProcess; info: Record<string, { port: number } | number> }> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start`)), 20_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      for (const line of out.split('\n')) {
        if (
          line.includes('"port"') &&
          (line.includes('"msg":"listening"') || line.startsWith('{"port"'))
        ) {
          clearTimeout(timer);
          resolve({ child, info: JSON.parse(line) as Record<string, { port: number } | number> });
          return;
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`${what} exited ${code}`)));
  });
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
let errors = 0;

function once(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(
      { host: '127.0.0.1', port, path: '/api/items', headers: { host }, agent },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(performance.now() - t0)
            : reject(new Error(`status ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function saturate(port: number, host: string): Promise<{ rps: number; done: number }> {
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < SAT_REQUESTS && performance.now() - t0 < SAT_MAX_MS) {
      next++;
      await once(port, host);
    }
  };
  await Promise.all(Array.from({ length: SAT_CONCURRENCY }, worker));
  const secs = (performance.now() - t0) / 1000;
  return { rps: next / secs, done: next };
}

/**
 * Open-loop load at `rps` for PACED_SECONDS; latency of every request. The rate is capped at
 * half the scenario's saturation throughput so a slow (shared) machine measures latency, not
 * an ever-growing queue.
 */
async function paced(
  port: number,
  host: string,
  rps: number,
): Promise<{ p50: number; p99: number }> {
  const total = rps * PACED_SECONDS;
  const lat: number[] = [];
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rps;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (performance.now() - t0 > PACED_SECONDS * 3000) break; // bounded in time
    pending.push(once(port, host).then((ms) => void lat.push(ms)));
  }
  await Promise.all(pending);
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  return { p50: q(0.5), p99: q(0.99) };
}

interface Row {
  name: string;
  rps: number;
  pacedRps: number;
  errors: number;
  p50: number;
  p99: number;
  cpuUsPerReq: number | undefined;
  rss: number | undefined;
}

async function scenario(name: string, port: number, host: string, proxies: number[]): Promise<Row> {
  for (let i = 0; i < 500; i++) await once(port, host); // warm-up (JIT, pools)
  errors = 0;
  const before = proxies.map(cpuTicks);
  const sat = await saturate(port, host);
  const after = proxies.map(cpuTicks);
  const pacedRps = Math.min(PACED_RPS, Math.floor(sat.rps / 2));
  const lat = await paced(port, host, pacedRps);
  const ticks = after.reduce((a, t, i) => a + t - (before[i] ?? 0), 0);
  return {
    name,
    rps: sat.rps,
    pacedRps,
    errors,
    p50: lat.p50,
    p99: lat.p99,
    cpuUsPerReq:
      proxies.length === 0 ? undefined : ((ticks / CLK_TCK) * 1e6) / sat.done / proxies.length,
    rss: proxies.length === 0 ? undefined : Math.max(...proxies.map(rssMb)),
  };
}

async function main(): Promise<void> {
  await build({
    entryPoints: [path.join(root, 'src/main.ts')],
    outfile: path.join(root, 'dist/main.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: {
      js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
    },
  });
  const sink = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const collector = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/v1/traces`;
  const sampleRate = process.env.BENCH_SAMPLE_RATE ?? '1';

  const upstream = await start([path.join(here, 'upstream.mjs')], 'upstream');
  const upPort = upstream.info.port as number;
  const common = [
    '--log-level',
    'warn',
    '--trace-collector-url',
    collector,
    '--trace-sample-rate',
    sampleRate,
  ];
  const inbound = await start(
    [
      'dist/main.mjs',
      '--service',
      'api',
      '--namespace',
      'bench',
      '--app-port',
      String(upPort),
      ...common,
    ],
    'inbound proxy',
  );
  const inboundPort = (inbound.info.inbound as { port: number }).port;
  const dir = mkdtempSync(path.join(tmpdir(), 'meshlens-bench-'));
  const file = path.join(dir, 'discovery.json');
  writeFileSync(
    file,
    JSON.stringify({
      endpoints: [
        { namespace: 'bench', service: 'direct', address: '127.0.0.1', port: upPort },
        { namespace: 'bench', service: 'api', address: '127.0.0.1', port: inboundPort },
      ],
    }),
  );
  const outbound = await start(
    [
      'dist/main.mjs',
      '--service',
      'client',
      '--namespace',
      'bench',
      '--discovery-file',
      file,
      ...common,
    ],
    'outbound proxy',
  );
  const outPort = (outbound.info.outbound as { port: number }).port;
  const hp = await start([path.join(here, 'httpProxy.mjs'), String(upPort)], 'http-proxy');
  const hpPort = hp.info.port as number;

  const rows: Row[] = [];
  rows.push(await scenario('direct (baseline)', upPort, 'direct.bench', []));
  rows.push(await scenario('meshlens 1 hop', outPort, 'direct.bench', [outbound.child.pid!]));
  rows.push(
    await scenario('meshlens 2 hops', outPort, 'api.bench', [
      outbound.child.pid!,
      inbound.child.pid!,
    ]),
  );
  rows.push(await scenario('http-proxy 1 hop', hpPort, 'direct.bench', [hp.child.pid!]));

  const base = rows[0]!;
  const hpRow = rows[3]!;
  const fmt = (n: number | undefined, d = 1) => (n === undefined ? '-' : n.toFixed(d));
  console.log(
    `\nmeshlens proxy bench: ${SAT_REQUESTS} requests x ${SAT_CONCURRENCY} concurrent at saturation; latency at min(${PACED_RPS}, saturation/2) rps for ${PACED_SECONDS}s; trace sample rate ${sampleRate}, metrics on`,
  );
  console.log(
    'scenario            rps    x direct  x http-proxy  @rps  p50 ms  p99 ms  +p99/hop ms  cpu us/req/proxy  rss MB  errors',
  );
  for (const r of rows) {
    const hops = r.name.includes('2 hops') ? 2 : r.name.includes('1 hop') ? 1 : 0;
    console.log(
      [
        r.name.padEnd(18),
        fmt(r.rps, 0).padStart(6),
        fmt(r.rps / base.rps, 2).padStart(9),
        fmt(r.rps / hpRow.rps, 2).padStart(13),
        String(r.pacedRps).padStart(5),
        fmt(r.p50, 2).padStart(7),
        fmt(r.p99, 2).padStart(7),
        (hops === 0 ? '-' : fmt((r.p99 - base.p99) / hops, 2)).padStart(12),
        fmt(r.cpuUsPerReq, 0).padStart(17),
        fmt(r.rss, 0).padStart(7),
        String(r.errors).padStart(7),
      ].join(' '),
    );
  }
  sink.close();
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
