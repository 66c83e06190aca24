/**
 * The proxy's real cost, measured at saturation next to what it is compared with, in one run:
 *
 * - direct: the upstream itself (latency baseline)
 * - floor: a bare node:http server + undici Pool.stream (the least a Node proxy can do)
 * - http-proxy: node-http-proxy 1.18 with a keep-alive agent
 * - meshlens 1 hop (outbound proxy, metrics on) with tracing off, at 10 % and at 100 %
 *
 * For each: `wrk -t1 -c16` for BENCH_SECONDS (bounded load), process CPU time (from /proc) per
 * completed request, throughput and peak RSS under that load; then p50/p99 at ONE connection
 * at a fixed rate (BENCH_PACED_RPS). Ratios are printed against the targets, and a CPU
 * profile of meshlens (10 %) at saturation is summarized by self time. The CPU of a paced run is
 * not reported: at a low rate idle wake-ups, timers and scrapes dominate it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ensureWrk, pacedOneConnection, saturate, topSelfFrames, type Saturation } from './measure';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 16;
const PACED_RPS = Number(process.env.BENCH_PACED_RPS ?? 200);
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 5);

const children: ChildProcess[] = [];

type Info = Record<string, { port: number } | number>;

function start(args: string[], what: string): Promise<{ child: ChildProcess; info: Info }> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start`)), 30_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      for (const line of out.split('\n')) {
        if (
          line.includes('"port"') &&
          (line.includes('"msg":"listening"') || line.startsWith('{"port"'))
        ) {
          clearTimeout(timer);
          resolve({ child, info: JSON.parse(line) as Info });
          return;
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`${what} exited ${code}`)));
  });
}

const portOf = (info: Info, key?: string): number =>
  key === undefined ? (info.port as number) : (info[key] as { port: number }).port;

interface Row extends Saturation {
  name: string;
  p50: number;
  p99: number;
  pacedErrors: number;
}

async function measure(
  wrk: string,
  name: string,
  port: number,
  pid: number | undefined,
): Promise<Row> {
  const url = `http://127.0.0.1:${port}/api/items`;
  await saturate(wrk, url, 'direct.bench', CONNECTIONS, 1, []); // warm-up: JIT, pools
  const sat = await saturate(wrk, url, 'direct.bench', CONNECTIONS, SECONDS, pid ? [pid] : []);
  const lat = await pacedOneConnection(port, 'direct.bench', PACED_RPS, PACED_SECONDS);
  return { name, ...sat, p50: lat.p50, p99: lat.p99, pacedErrors: lat.errors };
}

async function buildProxy(): Promise<void> {
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
}

function meshlensArgs(discovery: string, collector: string, rate: string): string[] {
  return [
    'dist/main.mjs',
    ...['--service', 'client', '--namespace', 'bench', '--discovery-file', discovery],
    ...['--log-level', 'warn', '--trace-collector-url', collector, '--trace-sample-rate', rate],
  ];
}

const fmt = (n: number | undefined, d = 1) =>
  n === undefined || Number.isNaN(n) ? '-' : n.toFixed(d);
const usPerReq = (r: Row) => (r.cpuSeconds * 1e6) / r.requests;

function verdict(label: string, value: number, target: number, atMost: boolean): string {
  const ok = atMost ? value <= target : value >= target;
  return `${label.padEnd(46)} ${fmt(value, 2).padStart(7)}   target ${atMost ? '<=' : '>='} ${target}   ${ok ? 'met' : 'MISSED'}`;
}

function report(rows: Row[]): void {
  const by = (n: string) => rows.find((r) => r.name === n) as Row;
  const [direct, floor, hp] = [by('direct'), by('floor'), by('http-proxy')];
  console.log(
    `\nproxy bench: wrk -t1 -c${CONNECTIONS} for ${SECONDS}s per row (1 hop, plaintext, metrics on); p50/p99 at 1 connection, ${PACED_RPS} rps for ${PACED_SECONDS}s`,
  );
  console.log(
    'scenario              cpu us/req  x floor     rps  x http-proxy  peak RSS MB  p50 ms  p99 ms  +p99 ms/hop  errors',
  );
  for (const r of rows) {
    const proxied = r.name !== 'direct';
    console.log(
      [
        r.name.padEnd(20),
        (proxied ? fmt(usPerReq(r), 0) : '-').padStart(11),
        (proxied ? fmt(usPerReq(r) / usPerReq(floor), 2) : '-').padStart(8),
        fmt(r.rps, 0).padStart(7),
        fmt(r.rps / hp.rps, 2).padStart(13),
        (proxied ? fmt(r.peakRssMb, 0) : '-').padStart(12),
        fmt(r.p50, 2).padStart(7),
        fmt(r.p99, 2).padStart(7),
        (proxied ? fmt(r.p99 - direct.p99, 2) : '-').padStart(12),
        String(r.errors + r.pacedErrors).padStart(7),
      ].join(' '),
    );
  }
  const off = by('meshlens, tracing off');
  const ten = by('meshlens, 10 % traced');
  const all = by('meshlens, 100 % traced');
  console.log('\nagainst the targets of issue 15:');
  console.log(
    verdict('CPU/request vs floor, tracing at 10 %', usPerReq(ten) / usPerReq(floor), 1.3, true),
  );
  console.log(
    verdict(
      'CPU/request vs floor, every request traced',
      usPerReq(all) / usPerReq(floor),
      1.5,
      true,
    ),
  );
  console.log(verdict('throughput vs http-proxy, tracing at 10 %', ten.rps / hp.rps, 1.2, false));
  console.log(
    verdict('added p99 per hop at 1 connection (ms), 10 %', ten.p99 - direct.p99, 0.5, true),
  );
  console.log(verdict('peak RSS under load (MB), every request traced', all.peakRssMb, 60, true));
  console.log(
    verdict(
      '(for reference) CPU/request vs floor, tracing off',
      usPerReq(off) / usPerReq(floor),
      1.3,
      true,
    ),
  );
}

async function profile(wrk: string, discovery: string, collector: string): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshlens-prof-'));
  const p = await start(
    ['--cpu-prof', '--cpu-prof-dir', dir, ...meshlensArgs(discovery, collector, '0.1')],
    'profiled proxy',
  );
  const url = `http://127.0.0.1:${portOf(p.info, 'outbound')}/api/items`;
  await saturate(wrk, url, 'direct.bench', CONNECTIONS, SECONDS, []);
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await exited;
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) {
    console.log('\n(no CPU profile written)');
    return;
  }
  console.log(
    `\nCPU profile of meshlens (10 % traced) at saturation, top self time (${path.join(dir, file)}):`,
  );
  for (const [frame, share] of topSelfFrames(path.join(dir, file), 20)) {
    console.log(`${(share * 100).toFixed(1).padStart(6)} %  ${frame}`);
  }
}

async function main(): Promise<void> {
  const wrk = ensureWrk();
  await buildProxy();
  const sink = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const collector = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/v1/traces`;

  const upstream = await start([path.join(here, 'upstream.mjs')], 'upstream');
  const upPort = portOf(upstream.info);
  const dir = mkdtempSync(path.join(tmpdir(), 'meshlens-bench-'));
  const discovery = path.join(dir, 'discovery.json');
  const endpoint = { namespace: 'bench', service: 'direct', address: '127.0.0.1', port: upPort };
  writeFileSync(discovery, JSON.stringify({ endpoints: [endpoint] }));
  const floor = await start([path.join(here, 'floor.mjs'), String(upPort)], 'floor');
  const hp = await start([path.join(here, 'httpProxy.mjs'), String(upPort)], 'http-proxy');

  const rows: Row[] = [];
  rows.push(await measure(wrk, 'direct', upPort, undefined));
  rows.push(await measure(wrk, 'floor', portOf(floor.info), floor.child.pid));
  rows.push(await measure(wrk, 'http-proxy', portOf(hp.info), hp.child.pid));
  for (const [name, rate] of [
    ['meshlens, tracing off', '0'],
    ['meshlens, 10 % traced', '0.1'],
    ['meshlens, 100 % traced', '1'],
  ] as const) {
    // a fresh process per sampling rate: RSS and JIT state of one row do not leak into the next
    const p = await start(meshlensArgs(discovery, collector, rate), name);
    rows.push(await measure(wrk, name, portOf(p.info, 'outbound'), p.child.pid));
    p.child.kill('SIGTERM');
  }
  report(rows);
  if (process.env.BENCH_PROFILE !== '0') await profile(wrk, discovery, collector);
  sink.close();
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  });
