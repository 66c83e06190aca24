// `npm start`: the whole mesh on a laptop. Builds the dashboard if needed, then starts the
// control plane, the dashboard (BFF), the demo shop and one proxy per shop instance, and
// prints the dashboard URL once everything answers. Ctrl-C stops every process.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { portIsFree } from './lib/ports.mjs';
import { ProcessSet } from './lib/processes.mjs';

register();
const { shopInstances, shopNamespace } = await import('../apps/demo/src/topology.ts');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HELP = `Usage: npm start -- [--port N] [--open] [--no-build] [--tls-mode strict|permissive]

Runs the meshlens demo: control plane, dashboard, demo shop (${shopInstances.length} instances, each
behind its own proxy, mTLS on every hop) and a load generator.
  --port N        dashboard port (default 50750, or env MESHLENS_PORT)
  --open          open the dashboard in a browser
  --no-build      do not build the dashboard SPA even when it is missing or stale
  --tls-mode M    proxies' inbound TLS mode (default strict)
Logs of every process: .meshlens/logs/. Ctrl-C stops everything.
`;

function parseFlags() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
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
  if (!['strict', 'permissive', 'disabled'].includes(values['tls-mode'])) {
    throw new Error(
      `--tls-mode must be strict, permissive or disabled, got "${values['tls-mode']}"`,
    );
  }
  return {
    port,
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

function proxyArgs(inst, app, ctx) {
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
    '0',
    '--outbound-address',
    '127.0.0.1',
    '--outbound-port',
    '0',
    '--admin-address',
    '127.0.0.1',
    '--admin-port',
    '0',
    '--control-plane-url',
    ctx.cpUrl,
    '--bootstrap-token',
    ctx.token,
    '--tls-mode',
    ctx.tlsMode,
    '--trust-domain',
    'cluster.local',
    '--trace-collector-url',
    `${ctx.dashboard}v1/traces`,
    '--trace-sample-rate',
    '0.5',
  ];
}

async function run(flags, procs, runDir) {
  if (!(await portIsFree(flags.port))) {
    throw new Error(
      `port ${flags.port} on 127.0.0.1 is already in use (another meshlens?). ` +
        'Stop whatever uses it, or pick another port with --port N or MESHLENS_PORT.',
    );
  }
  if (flags.build) buildSpaIfNeeded();
  const token = randomBytes(16).toString('hex');
  const dashboard = `http://127.0.0.1:${flags.port}/`;

  step('starting the control plane ...');
  const cp = await procs.start('control-plane', 'apps/control-plane/src/main.ts', [
    '--address',
    '127.0.0.1',
    '--port',
    '0',
    '--config-dir',
    join(root, 'apps/demo/mesh-config'),
    '--data-dir',
    join(runDir, 'control-plane'),
    '--trust-domain',
    'cluster.local',
    '--bootstrap-token',
    token,
    '--lease-ttl-seconds',
    '10',
  ]);
  const cpUrl = cp.msg.url;
  step(`control plane listening on ${cpUrl}`);

  step('starting the dashboard ...');
  await procs.start('dashboard', 'apps/bff/src/main.ts', [
    '--address',
    '127.0.0.1',
    '--port',
    String(flags.port),
    '--control-plane-url',
    cpUrl,
    // the dashboard's mesh identity (spiffe://cluster.local/ns/meshlens/sa/meshlens-dashboard):
    // the proxies let only it tap
    '--bootstrap-token',
    token,
    '--web-dist',
    join(root, 'apps/web/dist'),
  ]);

  step(`starting the demo shop (${shopInstances.length} instances) ...`);
  const demo = await procs.start('demo', 'apps/demo/src/main.ts', ['--all'], { stdin: true });
  const apps = new Map(demo.msg.instances.map((i) => [i.pod, i]));

  step(`starting ${shopInstances.length} proxies (mTLS ${flags.tlsMode}) ...`);
  const ctx = { cpUrl, token, tlsMode: flags.tlsMode, dashboard };
  // A few at a time: ten Node processes loading at once on a 2-core laptop start slower
  // than three batches do.
  const proxies = await mapLimit(shopInstances, 4, (inst) =>
    procs.start(
      `proxy-${inst.pod}`,
      'apps/proxy/src/main.ts',
      proxyArgs(inst, apps.get(inst.pod), ctx),
      {
        timeoutMs: 120_000,
      },
    ),
  );
  const outbound = Object.fromEntries(
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
    await procs.stopAll();
    rmSync(runDir, { recursive: true, force: true });
    // exit once the last line is out: a pipe write is asynchronous
    process.stdout.write(any ? 'stopped.\n' : '', () => process.exit(code));
  };
  const procs = new ProcessSet({
    root,
    logDir,
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
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  try {
    await run(flags, procs, runDir);
  } catch (err) {
    process.stderr.write(`✗ ${err.message}\n`);
    await stop(1);
  }
}

await mainStart();
