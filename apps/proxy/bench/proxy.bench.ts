/**
 * The proxy's real cost, measured at saturation next to what it is compared with, in one run:
 *
 * - direct: the upstream itself (latency baseline)
 * - floor: a bare node:http server + undici Pool.stream (the least a Node proxy can do)
 * - http-proxy: node-http-proxy 1.18 with a keep-alive agent
 * - meshlens 1 hop (outbound proxy, metrics on) with tracing off, at 10 % and at 100 %, launched as
 *   the sidecar, Compose and `npm start` launch it (`proxyNodeFlags` of @meshlens/inject)
 *
 * Every process is started first; then BENCH_ROUNDS rounds each measure every scenario once, in
 * an order rotated per round, so a burst of load from elsewhere on the machine hits one row of a
 * round, not one scenario. Per row: `wrk -t1 -c16` for BENCH_SECONDS (bounded load), process CPU
 * time (from /proc) per completed request, throughput and peak RSS under that load. Then, per
 * round, p50/p99 at ONE connection per scenario at a fixed rate (BENCH_PACED_RPS each), the
 * scenarios interleaved request by request over the same seconds, so the added p99 of a hop is
 * the difference of two distributions taken side by side (`pacedInterleaved`). The summary is the median of the rounds
 * with their spread; target ratios are taken within each round. A CPU profile of meshlens (10 %)
 * at saturation is summarized by self time. The CPU of a paced run is not reported: at a low rate
 * idle wake-ups, timers and scrapes dominate it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { proxyNodeFlags } from '@meshlens/inject';
import {
  buildProxy,
  ensureWrk,
  pacedInterleaved,
  saturate,
  startSpanSink,
  topSelfFrames,
  type Latency,
  type Saturation,
} from './measure';
import { report, SCENARIOS, type Row } from './report';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Another build of the proxy (a main.mjs bundle, e.g. of main) measured as one more row, 10 %. */
const COMPARE = process.env.BENCH_COMPARE;
/** Trace sample rate of the profiled proxy. */
const PROFILE_RATE = process.env.BENCH_PROFILE_RATE ?? '0.1';
const CONNECTIONS = 16;
const PACED_RPS = Number(process.env.BENCH_PACED_RPS ?? 150);
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 10);

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

/** A process measured in every round: its port, and its pid for CPU and RSS (none for direct). */
interface Scenario {
  name: string;
  port: number;
  pid: number | undefined;
}

/** One round: each scenario saturated in turn (the order rotated per round), then latency at one
 * connection of all of them interleaved over the same seconds. */
async function round(wrk: string, scenarios: Scenario[], r: number): Promise<Row[]> {
  const saturation: Saturation[] = [];
  for (let i = 0; i < scenarios.length; i++) {
    const k = (i + r) % scenarios.length;
    const s = scenarios[k] as Scenario;
    const url = `http://127.0.0.1:${s.port}/api/items`;
    const pids = s.pid ? [s.pid] : [];
    saturation[k] = await saturate(wrk, url, 'direct.bench', CONNECTIONS, SECONDS, pids);
  }
  const ports = scenarios.map((s) => s.port);
  const latency = await pacedInterleaved(ports, 'direct.bench', PACED_RPS, PACED_SECONDS);
  return scenarios.map((s, k) => {
    const lat = latency[k] as Latency;
    const sat = saturation[k] as Saturation;
    return { name: s.name, ...sat, p50: lat.p50, p99: lat.p99, pacedErrors: lat.errors };
  });
}

function meshlensArgs(
  discovery: string,
  collector: string,
  rate: string,
  bundle = 'dist/main.mjs',
): string[] {
  return [
    ...proxyNodeFlags,
    bundle,
    ...['--service', 'client', '--namespace', 'bench', '--discovery-file', discovery],
    ...['--log-level', 'warn', '--trace-collector-url', collector, '--trace-sample-rate', rate],
  ];
}

async function profile(wrk: string, discovery: string, collector: string): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshlens-prof-'));
  const p = await start(
    ['--cpu-prof', '--cpu-prof-dir', dir, ...meshlensArgs(discovery, collector, PROFILE_RATE)],
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
    `\nCPU profile of meshlens (trace sample rate ${PROFILE_RATE}) at saturation, ${SECONDS}s, top self time (${path.join(dir, file)}):`,
  );
  for (const [frame, share] of topSelfFrames(path.join(dir, file), 20)) {
    console.log(`${(share * 100).toFixed(1).padStart(6)} %  ${frame}`);
  }
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

async function main(): Promise<void> {
  const wrk = ensureWrk();
  buildProxy(root);
  const sink = await startSpanSink();
  const collector = sink.url;

  const upstream = await start([path.join(here, 'upstream.mjs')], 'upstream');
  const upPort = portOf(upstream.info);
  const dir = mkdtempSync(path.join(tmpdir(), 'meshlens-bench-'));
  const discovery = path.join(dir, 'discovery.json');
  const endpoint = { namespace: 'bench', service: 'direct', address: '127.0.0.1', port: upPort };
  writeFileSync(discovery, JSON.stringify({ endpoints: [endpoint] }));
  const floor = await start([path.join(here, 'floor.mjs'), String(upPort)], 'floor');
  const hp = await start([path.join(here, 'httpProxy.mjs'), String(upPort)], 'http-proxy');
  const scenarios: Scenario[] = [
    { name: SCENARIOS.direct, port: upPort, pid: undefined },
    { name: SCENARIOS.floor, port: portOf(floor.info), pid: floor.child.pid },
    { name: SCENARIOS.httpProxy, port: portOf(hp.info), pid: hp.child.pid },
  ];
  for (const [name, rate] of [
    [SCENARIOS.off, '0'],
    [SCENARIOS.ten, '0.1'],
    [SCENARIOS.all, '1'],
  ] as const) {
    // one process per sampling rate, all alive for the whole run (idle between their rows)
    const p = await start(meshlensArgs(discovery, collector, rate), name);
    scenarios.push({ name, port: portOf(p.info, 'outbound'), pid: p.child.pid });
  }
  if (COMPARE !== undefined) {
    const p = await start(meshlensArgs(discovery, collector, '0.1', COMPARE), 'compared build');
    scenarios.push({ name: SCENARIOS.compare, port: portOf(p.info, 'outbound'), pid: p.child.pid });
  }
  const loadBefore = load();
  // BENCH_ROUNDS=0: only the profile (while working on the proxy)
  for (const s of ROUNDS > 0 ? scenarios : []) {
    // warm-up: JIT, keep-alive pools
    await saturate(wrk, `http://127.0.0.1:${s.port}/api/items`, 'direct.bench', CONNECTIONS, 2, []);
  }
  const rounds: Row[][] = [];
  for (let r = 0; r < ROUNDS; r++) {
    rounds.push(await round(wrk, scenarios, r));
    console.log(`round ${r + 1}/${ROUNDS} done (load average ${load()})`);
  }
  if (ROUNDS > 0) {
    report(
      rounds,
      [
        `proxy bench: wrk -t1 -c${CONNECTIONS} for ${SECONDS}s per row (1 hop, plaintext, metrics on; meshlens with ${proxyNodeFlags.join(' ')}); p50/p99 at 1 connection per scenario, all interleaved, ${PACED_RPS} rps each for ${PACED_SECONDS}s`,
        `wrk, the upstream and the measured process share this machine's ${cpus().length} cores (and whatever else runs on it):`,
        `CPU per request is the process's own time, throughput is what is left to it. Load average ${loadBefore} before, ${load()} after.`,
      ].join('\n'),
    );
  }
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
