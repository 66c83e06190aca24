// `npm start`: the whole mesh on a laptop. Builds the dashboard and the apps' bundles
// (apps/*/dist/main.mjs, what the image runs) if needed, then starts the
// control plane, the dashboard (BFF), the demo shop and one proxy per shop instance, and
// prints the dashboard URL once everything answers. A process that dies is restarted with
// back-off (scripts/lib/supervisor.mjs); Ctrl-C stops every process.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { portIsFree } from './lib/ports.mjs';
import { ProcessSet } from './lib/processes.mjs';
import { Supervisor } from './lib/supervisor.mjs';

register();
const { shopInstances, shopNamespace } = await import('../apps/demo/src/topology.ts');
const { createTokenAdminClient } = await import('@meshlens/cp-client');
// the proxy's V8 flags and every process's environment, as the image and the sidecar have them
const { proxyNodeFlags, runtimeEnv } = await import('@meshlens/inject');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HELP = `Usage: npm start -- [--port N] [--otlp-grpc-port N|off] [--open] [--no-build] [--tls-mode M]

Runs the meshlens demo: control plane, dashboard, demo shop (${shopInstances.length} instances, each
behind its own proxy, mTLS on every hop) and a load generator.
  --port N        dashboard port (default 50750, or env MESHLENS_PORT)
  --otlp-grpc-port N|off
                  the dashboard's OTLP/gRPC trace receiver (default 4317, the OTLP port;
                  when that port is taken, e.g. by a local collector, the demo says so and
                  runs without it: OTLP over HTTP on the dashboard port always works)
  --open          open the dashboard in a browser
  --no-build      do not build the dashboard SPA or the app bundles even when missing or stale
  --tls-mode M    proxies' inbound TLS mode (default strict)
A process that dies is restarted (back-off 1 s doubling to 30 s); the dashboard's Mesh health
page lists the restarts. Dashboard data survives restarts in .meshlens/data/.
Logs of every process: .meshlens/logs/. Ctrl-C stops everything.
`;

function parseFlags() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'otlp-grpc-port': { type: 'string', default: '4317' },
      open: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      'tls-mode': { type: 'string', default: 'strict' },
      help: { type: 'boolean', default: false },
    },
  });
  const portText = values.port ?? process.env.MESHLENS_PORT ?? '50750';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new Error(`--port must be a port number 1..65535, got "${portText}"`);
  }
  const grpcText = values['otlp-grpc-port'];
  const otlpGrpcPort = grpcText === 'off' ? undefined : Number(grpcText);
  if (grpcText !== 'off' && (!/^\d+$/.test(grpcText) || otlpGrpcPort < 1 || otlpGrpcPort > 65535)) {
    throw new Error(`--otlp-grpc-port must be a port number 1..65535 or off, got "${grpcText}"`);
  }
  if (!['strict', 'permissive', 'disabled'].includes(values['tls-mode'])) {
    throw new Error(
      `--tls-mode must be strict, permissive or disabled, got "${values['tls-mode']}"`,
    );
  }
  return {
    port,
    otlpGrpcPort,
    open: values.open,
    build: !values['no-build'],
    tlsMode: values['tls-mode'],
    help: values.help,
  };
}

const step = (text) => process.stdout.write(`▸ ${text}\n`);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds apps/web into apps/web/dist when there is no build or the sources are newer. */
function buildSpaIfNeeded() {
  const index = join(root, 'apps/web/dist/index.html');
  const src = join(root, 'apps/web/src');
  const stale =
    !existsSync(index) || (existsSync(src) && newestMtime(src) > statSync(index).mtimeMs);
  if (!stale) {
    step('dashboard SPA is built (apps/web/dist)');
    return;
  }
  step('building the dashboard SPA (npm run build -w @meshlens/web) ...');
  const r = spawnSync('npm', ['run', '--silent', 'build', '-w', '@meshlens/web'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0)
    process.stdout.write(
      '  ! the SPA build failed: the dashboard API still runs, the pages may not\n',
    );
}

/** The apps npm start runs, each from its esbuild bundle (no tsx loader: ~40 MB less per proxy). */
const BUNDLED = ['proxy', 'control-plane', 'bff', 'demo'];

/** Builds apps/<app>/dist/main.mjs when missing or older than the app's or a package's sources. */
function buildBundlesIfNeeded() {
  const packagesMtime = Math.max(
    ...readdirSync(join(root, 'packages'))
      .map((p) => join(root, 'packages', p, 'src'))
      .filter((src) => existsSync(src))
      .map((src) => newestMtime(src)),
  );
  const stale = BUNDLED.filter((app) => {
    const bundle = join(root, 'apps', app, 'dist/main.mjs');
    if (!existsSync(bundle)) return true;
    const built = statSync(bundle).mtimeMs;
    return newestMtime(join(root, 'apps', app, 'src')) > built || packagesMtime > built;
  });
  if (stale.length === 0) {
    step('app bundles are built (apps/*/dist/main.mjs)');
    return;
  }
  step(`bundling ${stale.join(', ')} (esbuild) ...`);
  const workspaces = stale.flatMap((app) => ['-w', `@meshlens/${app}`]);
  const r = spawnSync('npm', ['run', '--silent', 'build', ...workspaces], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('bundling the apps failed (see above)');
}

/** Like Promise.all over items.map(fn), with at most `limit` calls in flight. */
async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function waitFor(what, check, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return true;
    } catch {
      // not yet
    }
    if (Date.now() > end) {
      process.stdout.write(`  ! still waiting for ${what} after ${timeoutMs / 1000}s, going on\n`);
      return false;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function openBrowser(url) {
  const cmd = process.platform === 'darwin' ? 'open' : 'xdg-open';
  const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
  child.on('error', () =>
    process.stdout.write(`  ! could not open a browser; open ${url} yourself\n`),
  );
  child.unref();
}

/** A restarted process keeps the ports of its first start, as a pod keeps its IP. */
function pinnedPort(previous, key) {
  const port = key === undefined ? previous?.port : previous?.[key]?.port;
  return String(port ?? 0);
}

function proxyArgs(inst, app, ctx, previous) {
  return [
    '--namespace',
    shopNamespace,
    '--service',
    inst.service,
    '--workload',
    inst.workload,
    '--pod',
    inst.pod,
    '--version',
    inst.version,
    '--service-account',
    inst.serviceAccount,
    '--app-address',
    '127.0.0.1',
    '--app-port',
    String(app.port),
    '--inbound-address',
    '127.0.0.1',
    '--inbound-port',
    pinnedPort(previous, 'inbound'),
    '--outbound-address',
    '127.0.0.1',
    '--outbound-port',
    pinnedPort(previous, 'outbound'),
    '--admin-address',
    '127.0.0.1',
    '--admin-port',
    pinnedPort(previous, 'admin'),
    '--control-plane-url',
    ctx.cpUrl,
    '--token-file',
    ctx.tokenFiles.get(inst.workload),
    '--tls-mode',
    ctx.tlsMode,
    '--trust-domain',
    'cluster.local',
    '--trace-collector-url',
    `${ctx.dashboard}v1/traces`,
    '--trace-token-file',
    ctx.ingestTokenFile,
    '--trace-sample-rate',
    '0.5',
  ];
}

/**
 * One join token per workload (each proxy can only become its own service account), one for
 * the dashboard's registry reads, and the trace-ingest token the proxies send to the dashboard.
 * All are files in the run's temporary folder (mode 0600), removed on exit.
 */
async function issueDemoTokens(cpUrl, adminTokenFile, runDir) {
  step('creating one join token per workload ...');
  const dir = join(runDir, 'tokens');
  mkdirSync(dir, { mode: 0o700 });
  const admin = createTokenAdminClient({
    url: cpUrl,
    adminToken: readFileSync(adminTokenFile, 'utf8').trim(),
  });
  const ttlSeconds = 7 * 24 * 3600; // outlives any demo run; the folder goes away at exit
  const write = (name, secret) => {
    const file = join(dir, name);
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    return file;
  };
  const workloadTokenFiles = new Map();
  for (const inst of shopInstances) {
    if (workloadTokenFiles.has(inst.workload)) continue;
    const { token } = await admin.create({
      namespace: shopNamespace,
      serviceAccount: inst.serviceAccount,
      ttlSeconds,
    });
    workloadTokenFiles.set(inst.workload, write(`${inst.workload}.token`, token));
  }
  const dashboard = await admin.create({
    namespace: 'meshlens',
    serviceAccount: 'meshlens-dashboard',
    ttlSeconds,
  });
  return {
    workloadTokenFiles,
    dashboardTokenFile: write('dashboard.token', dashboard.token),
    ingestTokenFile: write('ingest.token', randomBytes(32).toString('base64url')),
  };
}

async function run(flags, sup, runDir) {
  if (!(await portIsFree(flags.port))) {
    throw new Error(
      `port ${flags.port} on 127.0.0.1 is already in use (another meshlens?). ` +
        'Stop whatever uses it, or pick another port with --port N or MESHLENS_PORT.',
    );
  }
  if (flags.build) {
    buildSpaIfNeeded();
    buildBundlesIfNeeded();
  } else if (!BUNDLED.every((app) => existsSync(join(root, 'apps', app, 'dist/main.mjs')))) {
    throw new Error('--no-build, but app bundles are missing: run npm run build first');
  }
  const dashboard = `http://127.0.0.1:${flags.port}/`;

  step('starting the control plane ...');
  const cp = await sup.start('control-plane', 'apps/control-plane/dist/main.mjs', (previous) => [
    '--address',
    '127.0.0.1',
    '--port',
    pinnedPort(previous),
    '--config-dir',
    join(root, 'apps/demo/mesh-config'),
    '--data-dir',
    join(runDir, 'control-plane'),
    '--trust-domain',
    'cluster.local',
    '--lease-ttl-seconds',
    '10',
  ]);
  const cpUrl = cp.msg.url;
  step(`control plane listening on ${cpUrl}`);
  const secrets = await issueDemoTokens(cpUrl, cp.msg.adminTokenFile, runDir);

  step('starting the dashboard ...');
  const grpcArgs = [];
  if (flags.otlpGrpcPort !== undefined) {
    // A collector or Jaeger often holds 4317 already: the demo does not need gRPC, so go on without.
    if (await portIsFree(flags.otlpGrpcPort)) {
      grpcArgs.push('--otlp-grpc-port', String(flags.otlpGrpcPort));
    } else {
      step(
        `port ${flags.otlpGrpcPort} is in use: no OTLP/gRPC receiver (OTLP/HTTP at ${dashboard}v1/traces works; choose another with --otlp-grpc-port)`,
      );
    }
  }
  await sup.start('dashboard', 'apps/bff/dist/main.mjs', () => [
    ...grpcArgs,
    '--data-dir',
    join(root, '.meshlens/data'),
    '--process-status-file',
    sup.o.statusFile,
    '--address',
    '127.0.0.1',
    '--port',
    String(flags.port),
    '--control-plane-url',
    cpUrl,
    '--control-plane-token-file',
    secrets.dashboardTokenFile,
    '--ingest-token-file',
    secrets.ingestTokenFile,
    '--web-dist',
    join(root, 'apps/web/dist'),
  ]);

  step(`starting the demo shop (${shopInstances.length} instances) ...`);
  let outbound;
  let apps;
  const demo = await sup.start('demo', 'apps/demo/dist/main.mjs', () => ['--all'], {
    stdin: true,
    // The shop's apps listen on new ports after a restart: tell it its proxies again and restart
    // the proxies so they forward to the new app ports (their own ports stay).
    onRestarted: (r) => {
      apps = new Map(r.msg.instances.map((i) => [i.pod, i]));
      if (outbound === undefined) return;
      r.child.stdin.write(`${JSON.stringify({ outbound })}\n`);
      for (const inst of shopInstances) sup.bounce(`proxy-${inst.pod}`);
    },
  });
  apps = new Map(demo.msg.instances.map((i) => [i.pod, i]));

  step(`starting ${shopInstances.length} proxies (mTLS ${flags.tlsMode}) ...`);
  const ctx = {
    cpUrl,
    tlsMode: flags.tlsMode,
    dashboard,
    tokenFiles: secrets.workloadTokenFiles,
    ingestTokenFile: secrets.ingestTokenFile,
  };
  // A few at a time: ten Node processes loading at once on a 2-core laptop start slower
  // than three batches do.
  const proxies = await mapLimit(shopInstances, 4, (inst) =>
    sup.start(
      `proxy-${inst.pod}`,
      'apps/proxy/dist/main.mjs',
      (previous) => proxyArgs(inst, apps.get(inst.pod), ctx, previous),
      { timeoutMs: 120_000, nodeArgs: proxyNodeFlags },
    ),
  );
  outbound = Object.fromEntries(
    shopInstances.map((inst, i) => [inst.pod, `http://127.0.0.1:${proxies[i].msg.outbound.port}`]),
  );
  demo.child.stdin.write(`${JSON.stringify({ outbound })}\n`);
  step('proxies up; load generator sending traffic');

  await waitFor(
    'the dashboard to answer',
    async () => (await fetch(`${dashboard}ready`)).ok,
    30_000,
  );
  await waitFor(
    `all ${shopInstances.length} proxies to register`,
    async () => {
      const res = await fetch(`${dashboard}api/v1/controlplane`);
      const body = await res.json();
      return body.proxies.length >= shopInstances.length;
    },
    30_000,
  );
  process.stdout.write(
    `\nDashboard: ${dashboard}\n\nLogs: ${join(root, '.meshlens/logs')}/. Press Ctrl-C to stop.\n`,
  );
  if (flags.open) openBrowser(dashboard);
}

async function mainStart() {
  let flags;
  try {
    flags = parseFlags();
  } catch (err) {
    process.stderr.write(`npm start: ${err.message}\n${HELP}`);
    process.exit(2);
  }
  if (flags.help) {
    process.stdout.write(HELP);
    return;
  }
  const logDir = join(root, '.meshlens/logs');
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  // control plane data (its CA) for this run only; removed on exit
  const runDir = mkdtempSync(join(tmpdir(), 'meshlens-demo-'));
  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    const any = procs.children.size > 0;
    if (any) process.stdout.write('\nstopping every process ...\n');
    sup.stop();
    await procs.stopAll();
    rmSync(runDir, { recursive: true, force: true });
    // exit once the last line is out: a pipe write is asynchronous
    process.stdout.write(any ? 'stopped.\n' : '', () => process.exit(code));
  };
  const procs = new ProcessSet({
    root,
    logDir,
    env: runtimeEnv,
    onUnexpectedExit: (name, code, signal) => {
      // Ctrl-C in a terminal reaches the whole process group: a child may stop first
      if (signal === 'SIGINT' || signal === 'SIGTERM' || code === 130 || code === 0) {
        void stop(0);
        return;
      }
      process.stderr.write(
        `✗ ${name} exited unexpectedly (${signal ?? `code ${code}`}); see ${join(logDir, `${name}.log`)}\n`,
      );
      void stop(1);
    },
  });
  const sup = new Supervisor({ procs, statusFile: join(root, '.meshlens/status/processes.json') });
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  try {
    await run(flags, sup, runDir);
  } catch (err) {
    process.stderr.write(`✗ ${err.message}\n`);
    await stop(1);
  }
}

await mainStart();
