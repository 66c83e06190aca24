/**
 * The proxy's memory, measured as a sidecar runs: the bundle (`dist/main.mjs`, built by
 * scripts/build.mjs) started with `node dist/main.mjs` and a discovery file, next to two
 * baselines in the same run:
 *
 * - bare node: `node -e` with a timer (the least any Node process costs)
 * - node server: node:http, node:http2, node:tls and node:crypto loaded, one HTTP server
 *   listening (the least a Node proxy costs before its own code)
 * - floor proxy: the proxy bench's floor (`floor.mjs`: node:http + undici Pool.stream) started
 *   with `proxyNodeFlags` and put under the same load as meshlens (the least RSS a Node proxy
 *   reaches there)
 * - meshlens (as launched: with `proxyNodeFlags` of @meshlens/inject, the flags the sidecar,
 *   docker-compose.yml and `npm start` use): idle for BENCH_IDLE_SECONDS after `listening`, then under a bounded load
 *   (`wrk -t1 -c16` for BENCH_SECONDS, every request traced to a sink), then idle again
 *
 * - meshlens + control plane: the same launch with `--control-plane-url` and a join token, strict
 *   mTLS (registration, endpoint and config watches, a certificate): the sidecar's real setup,
 *   idle only (the load rows use the discovery file)
 * - meshlens + control plane, left idle: one more such proxy started first and sampled again at
 *   the end (minutes later): the steady idle figure, not only the one after start. Its lease
 *   renewals (every 3.3 s before ADR 0024's lease streams) made V8 optimize a function within
 *   minutes, which mapped the optimizing compiler's code (~4 MB of the node binary) into the
 *   process; now the control plane's heartbeats are the only work it does.
 * - meshlens + control plane, probed: one more, left idle as long but probed as kubelet probes the
 *   injected sidecar (GET /ready and /live on its admin port, each every 5 s). A Node server
 *   that answers a request every few seconds gets small functions optimized within minutes,
 *   which maps the optimizing compiler: the idle figure of a sidecar in a cluster.
 *
 * RSS (and its anonymous / file-backed parts) comes from /proc/<pid>/status, USS (the pages no
 * other process maps: what stopping the process frees; the `node` binary's pages that the other
 * node processes of the run also touched are shared, as they are between the sidecars of a
 * host) from /proc/<pid>/smaps_rollup; the proxy's heap
 * from its own /metrics (nodejs_heap_size_*). Each scenario runs BENCH_RUNS times in fresh
 * processes and the medians are printed, with ratios to bare node and issue 11/15's targets.
 * BENCH_MEMORY_FLAGS="label=--flag --flag2;label2=..." adds rows of meshlens started with extra
 * node flags (to compare V8 settings; their CPU per request is printed beside).
 * BENCH_MEMORY_BUNDLE=file measures that bundle instead of building dist/main.mjs (an older
 * build, for before/after figures).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTokenAdminClient } from '@meshlens/cp-client';
import { proxyNodeFlags } from '@meshlens/inject';
import { buildProxy, ensureWrk, saturate, startSpanSink } from './measure';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 16;
const BUNDLE = process.env.BENCH_MEMORY_BUNDLE;

const NODE_SERVER = `
import('node:http2'); import('node:tls'); import('node:crypto');
const s = require('node:http').createServer((q, r) => r.end('x'));
s.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: s.address().port })));
`;

const children = new Set<ChildProcess>();

/**
 * The measured processes run without NODE_EXTRA_CA_CERTS: a sidecar's image does not set it, and
 * where a shell does (the development machine of 30 Nov 2026 did), every Node process reads and
 * parses that CA bundle at start, initializing OpenSSL before it is needed (+1.6 MB for a process
 * without TLS).
 */
const childEnv = { ...process.env };
const extraCaCerts = childEnv.NODE_EXTRA_CA_CERTS;
delete childEnv.NODE_EXTRA_CA_CERTS;

interface Mem {
  rss: number;
  anon: number;
  file: number;
  /** Private_Clean + Private_Dirty: the pages no other process maps (what stopping it frees) */
  uss: number;
}

function memOf(pid: number): Mem {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const private_ = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN);
  return {
    rss: kb('VmRSS') / 1024,
    anon: kb('RssAnon') / 1024,
    file: kb('RssFile') / 1024,
    uss: (private_('Private_Clean') + private_('Private_Dirty')) / 1024,
  };
}

/**
 * GET /ready and /live on a proxy's admin port, each every 5 s (2.5 s apart), as kubelet probes
 * the injected sidecar (packages/inject: readinessProbe and livenessProbe, periodSeconds 5).
 */
function probeLikeKubelet(adminPort: number): () => void {
  let n = 0;
  const timer = setInterval(() => {
    const path = n++ % 2 === 0 ? '/ready' : '/live';
    http
      .get({ host: '127.0.0.1', port: adminPort, path, agent: false }, (res) => res.resume())
      .on('error', () => {});
  }, 2500);
  return () => clearInterval(timer);
}

/** Starts node with args; resolves on the first stdout line naming a port. */
function start(args: string[], what: string): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start in 30 s`)), 30_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.includes('"port"'));
      if (line !== undefined) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        resolve({ child, line });
      }
    });
    child.once('exit', (code) => reject(new Error(`${what} exited ${code}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const wait = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

function gauge(text: string, name: string): number {
  const m = new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(text);
  return m ? Number(m[1]) / 1048576 : NaN;
}

interface Sample {
  idle: Mem;
  heapUsed: number;
  heapTotal: number;
  external: number;
  loadPeak: number;
  usPerReq: number;
  rps: number;
  afterLoad: number;
}

async function baseline(args: string[], what: string): Promise<Mem> {
  const p = await start(args, what);
  await wait(IDLE_SECONDS);
  const m = memOf(p.child.pid as number);
  await stop(p.child);
  return m;
}

/** The control plane from source (its memory is not measured) and a join token for the proxy. */
async function controlPlane(dir: string): Promise<{ url: string; tokenFile: string }> {
  const repo = path.resolve(root, '../..');
  const cp = await start(
    [
      ...['--import', 'tsx', path.join(repo, 'apps/control-plane/src/main.ts')],
      ...['--address', '127.0.0.1', '--port', '0', '--data-dir', path.join(dir, 'cp')],
    ],
    'control plane',
  );
  const msg = JSON.parse(cp.line) as { url: string; adminTokenFile: string };
  const admin = createTokenAdminClient({
    url: msg.url,
    adminToken: readFileSync(msg.adminTokenFile, 'utf8').trim(),
  });
  const { token } = await admin.create({
    namespace: 'bench',
    serviceAccount: 'client',
    ttlSeconds: 3600,
  });
  const tokenFile = path.join(dir, 'client.token');
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  return { url: msg.url, tokenFile };
}

/** A proxy that talks to the control plane (mTLS strict, certificate issued), as a sidecar does. */
function startWithControlPlane(
  cp: { url: string; tokenFile: string },
  appPort: number,
): Promise<{ child: ChildProcess; line: string }> {
  return start(
    [
      ...proxyNodeFlags,
      BUNDLE ?? 'dist/main.mjs',
      ...['--service', 'client', '--namespace', 'bench', '--service-account', 'client'],
      ...['--app-port', String(appPort), '--log-level', 'warn'],
      ...['--control-plane-url', cp.url, '--token-file', cp.tokenFile, '--tls-mode', 'strict'],
    ],
    'meshlens + control plane',
  );
}

/** Idle RSS of such a proxy, 10 s (BENCH_IDLE_SECONDS) after it listens. */
async function meshlensWithControlPlane(
  cp: { url: string; tokenFile: string },
  appPort: number,
): Promise<{ idle: Mem; heapUsed: number; heapTotal: number }> {
  const p = await startWithControlPlane(cp, appPort);
  const ports = JSON.parse(p.line) as Record<string, { port: number }>;
  await wait(IDLE_SECONDS);
  const idle = memOf(p.child.pid as number);
  const metrics = await get(`http://127.0.0.1:${ports.admin?.port}/metrics`);
  await stop(p.child);
  return {
    idle,
    heapUsed: gauge(metrics, 'nodejs_heap_size_used_bytes'),
    heapTotal: gauge(metrics, 'nodejs_heap_size_total_bytes'),
  };
}

async function meshlens(
  wrk: string,
  nodeFlags: string[],
  discovery: string,
  collector: string,
): Promise<Sample> {
  const p = await start(
    [
      ...nodeFlags,
      BUNDLE ?? 'dist/main.mjs',
      ...['--service', 'client', '--namespace', 'bench', '--discovery-file', discovery],
      ...['--log-level', 'warn', '--trace-collector-url', collector, '--trace-sample-rate', '1'],
    ],
    'meshlens',
  );
  const pid = p.child.pid as number;
  const ports = JSON.parse(p.line) as Record<string, { port: number }>;
  const admin = `http://127.0.0.1:${ports.admin?.port}/metrics`;
  await wait(IDLE_SECONDS);
  const idle = memOf(pid);
  const metrics = await get(admin);
  const url = `http://127.0.0.1:${ports.outbound?.port}/api/items`;
  return {
    idle,
    heapUsed: gauge(metrics, 'nodejs_heap_size_used_bytes'),
    heapTotal: gauge(metrics, 'nodejs_heap_size_total_bytes'),
    external: gauge(metrics, 'nodejs_external_memory_bytes'),
    ...(await loadThenStop(wrk, p.child, url)),
  };
}

/** The bounded load on url while sampling the process, its RSS 5 s after, then it is stopped. */
async function loadThenStop(
  wrk: string,
  child: ChildProcess,
  url: string,
): Promise<Pick<Sample, 'loadPeak' | 'usPerReq' | 'rps' | 'afterLoad'>> {
  const pid = child.pid as number;
  const sat = await saturate(wrk, url, 'direct.bench', CONNECTIONS, SECONDS, [pid]);
  await wait(5);
  const afterLoad = memOf(pid).rss;
  await stop(child);
  return {
    loadPeak: sat.peakRssMb,
    usPerReq: (sat.cpuSeconds * 1e6) / sat.requests,
    rps: sat.rps,
    afterLoad,
  };
}

/**
 * The proxy bench's floor (a bare node:http server forwarding with undici's Pool.stream) started
 * as the proxy is and put under the same load: what RSS any Node proxy reaches there.
 */
async function floorUnderLoad(wrk: string, upPort: number): Promise<Sample> {
  const p = await start([...proxyNodeFlags, path.join(here, 'floor.mjs'), String(upPort)], 'floor');
  await wait(IDLE_SECONDS);
  const idle = memOf(p.child.pid as number);
  const url = `http://127.0.0.1:${(JSON.parse(p.line) as { port: number }).port}/api/items`;
  return {
    idle,
    heapUsed: NaN,
    heapTotal: NaN,
    external: NaN,
    ...(await loadThenStop(wrk, p.child, url)),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
const f = (n: number, d = 1) => (Number.isNaN(n) ? '-' : n.toFixed(d));

function extraVariants(): [string, string[]][] {
  const spec = process.env.BENCH_MEMORY_FLAGS;
  if (!spec) return [];
  return spec.split(';').map((v): [string, string[]] => {
    const eq = v.indexOf('=');
    const flags = (eq < 0 ? v : v.slice(eq + 1)).trim().split(/\s+/).filter(Boolean);
    return [eq < 0 ? v.trim() : v.slice(0, eq).trim(), flags];
  });
}

async function main(): Promise<void> {
  const wrk = ensureWrk();
  if (BUNDLE === undefined) buildProxy(root);
  const sink = await startSpanSink();
  const collector = sink.url;
  const upstream = await start([path.join(here, 'upstream.mjs')], 'upstream');
  const upPort = (JSON.parse(upstream.line) as { port: number }).port;
  const dir = mkdtempSync(path.join(tmpdir(), 'meshlens-membench-'));
  const discovery = path.join(dir, 'discovery.json');
  const endpoint = { namespace: 'bench', service: 'direct', address: '127.0.0.1', port: upPort };
  writeFileSync(discovery, JSON.stringify({ endpoints: [endpoint] }));

  const variants: [string, string[]][] = [
    ['meshlens (as launched)', [...proxyNodeFlags]],
    ['meshlens, no node flags', []],
    ...extraVariants(),
  ];
  const cp = await controlPlane(dir);
  const leftIdle = await startWithControlPlane(cp, upPort);
  const probed = await startWithControlPlane(cp, upPort);
  // the runtime's own floor under the same probes: a node:http server as launched
  const probedServer = await start([...proxyNodeFlags, '-e', NODE_SERVER], 'probed node server');
  const stopProbes = probeLikeKubelet(
    (JSON.parse(probed.line) as { admin: { port: number } }).admin.port,
  );
  const stopServerProbes = probeLikeKubelet(
    (JSON.parse(probedServer.line) as { port: number }).port,
  );
  const leftIdleStart = Date.now();
  await wait(IDLE_SECONDS);
  const leftIdleEarly = memOf(leftIdle.child.pid as number);
  const probedEarly = memOf(probed.child.pid as number);
  const serverEarly = memOf(probedServer.child.pid as number);
  const withCp: Awaited<ReturnType<typeof meshlensWithControlPlane>>[] = [];
  const bare: Mem[] = [];
  const server: Mem[] = [];
  const floor: Sample[] = [];
  const samples = new Map<string, Sample[]>(variants.map(([n]) => [n, []]));
  // interleaved: a change in the machine's load hits every scenario alike
  for (let run = 0; run < RUNS; run++) {
    bare.push(
      await baseline(
        ['-e', 'console.log(\'{"port":0}\'); setInterval(() => {}, 1e9)'],
        'bare node',
      ),
    );
    server.push(await baseline(['-e', NODE_SERVER], 'node server'));
    floor.push(await floorUnderLoad(wrk, upPort));
    for (const [name, flags] of variants) {
      samples.get(name)?.push(await meshlens(wrk, flags, discovery, collector));
    }
    withCp.push(await meshlensWithControlPlane(cp, upPort));
  }
  const leftIdleSeconds = Math.round((Date.now() - leftIdleStart) / 1000);
  const leftIdleLate = memOf(leftIdle.child.pid as number);
  const probedLate = memOf(probed.child.pid as number);
  const serverLate = memOf(probedServer.child.pid as number);
  stopProbes();
  stopServerProbes();
  await stop(leftIdle.child);
  await stop(probed.child);
  await stop(probedServer.child);
  await stop(upstream.child);
  sink.close();

  const bareRss = median(bare.map((m) => m.rss));
  if (extraCaCerts !== undefined) {
    console.log(
      `\nNODE_EXTRA_CA_CERTS=${extraCaCerts} is set here: cleared for the measured processes`,
    );
  }
  console.log(
    `\nproxy memory bench: medians of ${RUNS} runs; idle = ${IDLE_SECONDS} s after start, no traffic; load = wrk -t1 -c${CONNECTIONS} for ${SECONDS} s, every request traced; MB = MiB (/proc kB / 1024, as kubectl top and docker stats count)`,
  );
  console.log(
    'scenario                       idle RSS  x bare  anon   file   uss  heap used/total  external  load peak RSS  after load  cpu us/req     rps',
  );
  const row = (name: string, m: Mem[], s?: Sample[]) => {
    const med = (pick: (x: Sample) => number) => (s ? median(s.map(pick)) : NaN);
    const rss = median(m.map((x) => x.rss));
    console.log(
      [
        name.padEnd(30),
        f(rss).padStart(8),
        f(rss / bareRss, 2).padStart(7),
        f(median(m.map((x) => x.anon))).padStart(5),
        f(median(m.map((x) => x.file))).padStart(6),
        f(median(m.map((x) => x.uss))).padStart(5),
        `${f(med((x) => x.heapUsed))}/${f(med((x) => x.heapTotal))}`.padStart(16),
        f(med((x) => x.external)).padStart(9),
        f(med((x) => x.loadPeak)).padStart(14),
        f(med((x) => x.afterLoad)).padStart(11),
        f(
          med((x) => x.usPerReq),
          0,
        ).padStart(11),
        f(
          med((x) => x.rps),
          0,
        ).padStart(7),
      ].join(' '),
    );
  };
  row('bare node', bare);
  row('node http/tls server', server);
  row(
    'floor proxy, as launched',
    floor.map((x) => x.idle),
    floor,
  );
  for (const [name] of variants) {
    const s = samples.get(name) ?? [];
    row(
      name,
      s.map((x) => x.idle),
      s,
    );
  }
  {
    const m = withCp.map((x) => x.idle);
    const rss = median(m.map((x) => x.rss));
    console.log(
      [
        'meshlens + control plane'.padEnd(30),
        f(rss).padStart(8),
        f(rss / bareRss, 2).padStart(7),
        f(median(m.map((x) => x.anon))).padStart(5),
        f(median(m.map((x) => x.file))).padStart(6),
        f(median(m.map((x) => x.uss))).padStart(5),
        `${f(median(withCp.map((x) => x.heapUsed)))}/${f(median(withCp.map((x) => x.heapTotal)))}`.padStart(
          16,
        ),
        '(idle only: mTLS strict, registered, watching)',
      ].join(' '),
    );
  }
  /** A row for one long-lived process, sampled after start and again at the end. */
  const oneProcessRow = (label: string, late: Mem, early: Mem, how: string) =>
    console.log(
      [
        `${label} ${leftIdleSeconds} s`.padEnd(30),
        f(late.rss).padStart(8),
        f(late.rss / bareRss, 2).padStart(7),
        f(late.anon).padStart(5),
        f(late.file).padStart(6),
        f(late.uss).padStart(5),
        `(one process${how}; ${f(early.rss)} MiB at ${IDLE_SECONDS} s)`.padStart(16),
      ].join(' '),
    );
  oneProcessRow('meshlens + cp, idle', leftIdleLate, leftIdleEarly, '');
  oneProcessRow('meshlens + cp, probed', probedLate, probedEarly, ", kubelet's probes");
  oneProcessRow('node server, probed', serverLate, serverEarly, ', as launched, probed alike');
  const launched = samples.get('meshlens (as launched)') ?? [];
  const idle = median(launched.map((x) => x.idle.rss));
  const peak = median(launched.map((x) => x.loadPeak));
  const cpIdle = median(withCp.map((x) => x.idle.rss));
  const verdict = (mb: number, target: number) =>
    `${f(mb)} MiB: target <= ${target} ${mb <= target ? 'met' : 'MISSED'}`;
  console.log(`\nidle RSS (discovery file) ${verdict(idle, 50)} (issue 11)`);
  console.log(`idle RSS (control plane, strict mTLS) ${verdict(cpIdle, 50)} (issue 11)`);
  console.log(
    `idle RSS (control plane, after ${leftIdleSeconds} s) ${verdict(leftIdleLate.rss, 50)} (issue 11)`,
  );
  console.log(
    `idle RSS (control plane, probed, after ${leftIdleSeconds} s) ${verdict(probedLate.rss, 50)} (issue 11)`,
  );
  console.log(
    `  of which its own pages (USS: heap, and binary pages no other process here maps) ${f(probedLate.uss)} MiB; the rest is shared with the other node processes`,
  );
  console.log(
    `  the runtime's floor alike (a node:http server, as launched, probed as long): ${f(serverLate.rss)} MiB; meshlens adds ${f(probedLate.rss - serverLate.rss)} MiB to it`,
  );
  console.log(
    `RSS under load ${f(peak)} MiB: target <= 60 (issue 15) ${peak <= 60 ? 'met' : 'MISSED'}`,
  );
  console.log(
    `  the floor proxy (node:http + undici Pool.stream, no metrics, no spans), as launched, under the same load: ${f(median(floor.map((x) => x.loadPeak)))} MiB`,
  );
  for (const [name] of variants) {
    const runs = samples.get(name) ?? [];
    console.log(
      `${name}, per run (idle MiB / load peak MiB / cpu us per request): ${runs.map((x) => `${f(x.idle.rss)}/${f(x.loadPeak)}/${f(x.usPerReq, 0)}`).join('  ')}`,
    );
  }
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGTERM');
  });
