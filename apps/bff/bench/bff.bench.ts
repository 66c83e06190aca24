/*
 * `npm run bench` (apps/bff): the embedded source scraping 1,000 simulated proxies of ~2,000 series
 * each at a 10 s interval, with the BFF API in front of it. Prints scrape-round duration,
 * event-loop delay p99, API p99 (stat, topology), RSS, and ratios against a baseline of 100
 * targets measured in the same run. Bounded: a fixed number of rounds per phase.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { createApp } from '@meshlens/bff';
import { createEmbeddedSource, type RoundSummary } from '@meshlens/telemetry';

const INTERVAL_MS = 10_000;
// a full collection before the live-heap figures (the RSS figure is read before it)
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const WORKLOADS = 100;
/** Measured rounds at 1,000 targets (each 10 s; more rounds, more API samples for the p99). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// run.mjs runs this file as a bundle from a temporary folder: it says where the bench folder is
const here = process.env.BENCH_DIR ?? path.dirname(fileURLToPath(import.meta.url));

interface PhaseResult {
  targets: number;
  rounds: number[];
  /** CPU seconds (all threads) per round: what a round costs independent of machine contention */
  cpuPerRound: number;
  up: number;
  loopP99: number;
  loopMax: number;
  statP99: number;
  topoP99: number;
  statP50: number;
  topoP50: number;
  /** API requests timed per endpoint (of ~60, the p99 is the slowest: BENCH_ROUNDS for more) */
  apiSamples: number;
  statCompute: number;
  topoCompute: number;
  rssMb: number;
  heapMb: number;
  /** V8 heap reserved on the main thread, Buffers/ArrayBuffers outside it, store rings */
  heapTotalMb: number;
  externalMb: number;
  storeMb: number;
  /** the store rings once they hold a whole retention (they grow as rounds accumulate) */
  storeFullMb: number;
  arrayBuffersMb: number;
  /** main-thread heap used after a full GC, and RSS then */
  liveHeapMb: number;
  rssAfterGcMb: number;
  /** the parse workers' own heaps (reserved, used) and their off-heap memory */
  workerHeapMb: number;
  workerLiveMb: number;
  workerExternalMb: number;
  aggregates: number;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? Number.NaN;
}

async function startTargetServer(): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'targetServer.ts')], {
    env: {
      ...process.env,
      BENCH_WORKLOADS: String(WORKLOADS),
      BENCH_INTERVAL_MS: String(INTERVAL_MS),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('target server did not start')), 30_000);
    child.stdout.once('data', (d: Buffer) => {
      clearTimeout(timer);
      resolve((JSON.parse(d.toString()) as { port: number }).port);
    });
  });
  return { port, stop: () => child.kill('SIGTERM') };
}

async function timed(url: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return performance.now() - t;
}

async function phase(port: number, targets: number, measuredRounds: number): Promise<PhaseResult> {
  const rounds: RoundSummary[] = [];
  let onRound: (() => void) | undefined;
  const source = createEmbeddedSource({
    targets: Array.from({ length: targets }, (_, i) => ({
      url: `http://127.0.0.1:${port}/t/${i}/metrics`,
      labels: {
        namespace: `ns-${(i % WORKLOADS) % 10}`,
        deployment: `wl-${i % WORKLOADS}`,
        pod: `wl-${i % WORKLOADS}-pod-${i}`,
      },
    })),
    scrapeIntervalMs: INTERVAL_MS,
    workers: 2,
    concurrency: 64,
    onRound: (r) => {
      rounds.push(r);
      onRound?.();
    },
  });
  const bff = createApp({ source });
  const { app } = bff;
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  const nextRound = () => new Promise<void>((resolve) => (onRound = resolve));
  await source.start();
  await nextRound(); // warm-up round: worker start-up, first-seen series
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpuStart = process.cpuUsage();
  const stat: number[] = [];
  const topo: number[] = [];
  let done = false;
  const load = (async () => {
    // a dashboard's worth of polling, ~2 requests/s of each endpoint, bounded by the phase. Faster
    // polling would give the p99 more samples but adds main-thread work the rounds and the event
    // loop then show (15/s of each: ~1-1.5 s more CPU per round); BENCH_ROUNDS gives more samples.
    while (!done && stat.length < 10_000) {
      stat.push(await timed(`${api}/stat?kind=workload&window=1m`));
      topo.push(await timed(`${api}/topology?window=1m`));
      await new Promise((r) => setTimeout(r, 400));
    }
  })();
  for (let i = 0; i < measuredRounds; i++) await nextRound();
  const cpu = process.cpuUsage(cpuStart);
  done = true;
  await load;
  loop.disable();
  // uncached compute of the same views (what one tick costs once, before the view cache)
  let t = performance.now();
  await source.stat({ kind: 'workload', window: '1m' });
  const statCompute = performance.now() - t;
  t = performance.now();
  await source.topology({ kind: 'workload', window: '1m' });
  const topoCompute = performance.now() - t;
  const mem = process.memoryUsage();
  const workers = await source.workerMemory();
  gc();
  const live = process.memoryUsage();
  let storeBytes = 0;
  let storeFullBytes = 0;
  for (const a of source.store.list()) {
    storeBytes += a.byteLength;
    storeFullBytes += a.fullByteLength;
  }
  const result: PhaseResult = {
    targets,
    rounds: rounds.slice(1).map((r) => r.durationMs),
    cpuPerRound: (cpu.user + cpu.system) / 1e6 / measuredRounds,
    up: rounds[rounds.length - 1]?.up ?? 0,
    loopP99: loop.percentile(99) / 1e6,
    loopMax: loop.max / 1e6,
    statP99: quantile(stat, 0.99),
    topoP99: quantile(topo, 0.99),
    statP50: quantile(stat, 0.5),
    topoP50: quantile(topo, 0.5),
    apiSamples: Math.min(stat.length, topo.length),
    statCompute,
    topoCompute,
    rssMb: mem.rss / 2 ** 20,
    heapMb: mem.heapUsed / 2 ** 20,
    heapTotalMb: mem.heapTotal / 2 ** 20,
    externalMb: mem.external / 2 ** 20,
    storeMb: storeBytes / 2 ** 20,
    storeFullMb: storeFullBytes / 2 ** 20,
    arrayBuffersMb: mem.arrayBuffers / 2 ** 20,
    aggregates: source.store.size,
    liveHeapMb: live.heapUsed / 2 ** 20,
    rssAfterGcMb: live.rss / 2 ** 20,
    workerHeapMb: workers.reduce((n, w) => n + w.heapTotal, 0) / 2 ** 20,
    workerLiveMb: workers.reduce((n, w) => n + w.heapUsed, 0) / 2 ** 20,
    workerExternalMb: workers.reduce((n, w) => n + w.external, 0) / 2 ** 20,
  };
  bff.close();
  await new Promise((r) => server.close(r));
  await source.stop();
  return result;
}

function row(label: string, base: number, main: number, unit: string, target?: string): string {
  const ratio = base > 0 ? (main / base).toFixed(2) : 'n/a';
  return `${label.padEnd(30)} ${base.toFixed(1).padStart(10)} ${main.toFixed(1).padStart(10)} ${unit.padEnd(3)} x${ratio.padEnd(7)} ${target ?? ''}`;
}

async function main(): Promise<void> {
  const server = await startTargetServer();
  try {
    console.log(
      `bench: ${WORKLOADS} workloads, ~2,000 series per target, interval ${INTERVAL_MS / 1000} s, 2 parse workers`,
    );
    const base = await phase(server.port, 100, 2);
    const big = await phase(server.port, 1000, ROUNDS);
    const max = (xs: number[]) => Math.max(...xs);
    console.log(
      `\n${''.padEnd(30)} ${'100 tgt'.padStart(10)} ${'1000 tgt'.padStart(10)}     ratio    target`,
    );
    console.log(row('scrape round (max)', max(base.rounds), max(big.rounds), 'ms', '< 10000 ms'));
    console.log(
      row(
        'CPU per round (all threads)',
        base.cpuPerRound,
        big.cpuPerRound,
        's',
        '< 20 s (2 cores)',
      ),
    );
    console.log(row('event-loop delay p99', base.loopP99, big.loopP99, 'ms', '< 50 ms'));
    console.log(row('event-loop delay max', base.loopMax, big.loopMax, 'ms'));
    console.log(row('API p99 /stat', base.statP99, big.statP99, 'ms', '< 100 ms'));
    console.log(row('API p99 /topology', base.topoP99, big.topoP99, 'ms', '< 100 ms'));
    console.log(row('API p50 /stat', base.statP50, big.statP50, 'ms'));
    console.log(row('API p50 /topology', base.topoP50, big.topoP50, 'ms'));
    console.log(row('  API requests timed, each', base.apiSamples, big.apiSamples, ''));
    console.log(row('stat compute (uncached)', base.statCompute, big.statCompute, 'ms'));
    console.log(row('topology compute (uncached)', base.topoCompute, big.topoCompute, 'ms'));
    console.log(row('RSS', base.rssMb, big.rssMb, 'MB', '<= 400 MB'));
    console.log(row('heap used', base.heapMb, big.heapMb, 'MB'));
    console.log(row('  heap reserved (main thread)', base.heapTotalMb, big.heapTotalMb, 'MB'));
    console.log(row('  external (Buffers, typed arrays)', base.externalMb, big.externalMb, 'MB'));
    console.log(row('  of which ArrayBuffers', base.arrayBuffersMb, big.arrayBuffersMb, 'MB'));
    console.log(row('  of which store rings', base.storeMb, big.storeMb, 'MB'));
    console.log(row('  store rings at 1 h retention', base.storeFullMb, big.storeFullMb, 'MB'));
    const steady = (r: PhaseResult) => r.rssMb - r.storeMb + r.storeFullMb;
    console.log(row('RSS with 1 h of rows (est.)', steady(base), steady(big), 'MB', '<= 400 MB'));
    console.log(row('  worker heaps reserved', base.workerHeapMb, big.workerHeapMb, 'MB'));
    console.log(row('  worker heaps used', base.workerLiveMb, big.workerLiveMb, 'MB'));
    console.log(row('  worker external', base.workerExternalMb, big.workerExternalMb, 'MB'));
    const rest = (r: PhaseResult) =>
      r.rssMb - r.heapTotalMb - r.externalMb - r.workerHeapMb - r.workerExternalMb;
    console.log(row('  rest (code, stacks, malloc)', rest(base), rest(big), 'MB'));
    console.log(row('heap used after a full GC', base.liveHeapMb, big.liveHeapMb, 'MB'));
    console.log(row('RSS after a full GC', base.rssAfterGcMb, big.rssAfterGcMb, 'MB'));
    console.log(
      `rounds (ms): 100 targets ${base.rounds.map((r) => r.toFixed(0)).join(', ')}; 1000 targets ${big.rounds.map((r) => r.toFixed(0)).join(', ')}`,
    );
    console.log(
      `load average at the end: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${os.cpus().length} cores`,
    );
    console.log(
      `targets up: ${base.up}/100, ${big.up}/1000; aggregates in store: ${base.aggregates}, ${big.aggregates}`,
    );
  } finally {
    server.stop();
  }
}

await main();
