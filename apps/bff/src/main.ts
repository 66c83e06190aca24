import { existsSync, readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { createControlPlaneClient, tokenFromFile } from '@meshlens/cp-client';
import { type Logger, pino } from 'pino';
import { createApp } from './app';
import { backendOptions, parseHeaderFlags } from './backendConfig';
import { type BffConfig, ConfigError, loadConfigFile, parseConfig } from './config';
import { type Flags, USAGE, parseFlags } from './flags';
import type { FixtureSource } from './fixture/fixtureSource';
import { createPersistence } from './persist/persistence';
import { DEFAULT_ALLOWED_HOSTS } from './security';
import { buildSource, buildTraceSource } from './sources';
import { type OtlpGrpcReceiver, startOtlpGrpc } from './traces/otlpGrpc';
import { loadTapCredentials } from './tap/tapCredentials';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_WEB_DIST = path.resolve(here, '../../web/dist');

function version(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(path.resolve(here, '../package.json'), 'utf8'));
    return typeof pkg === 'object' && pkg !== null && 'version' in pkg
      ? String(pkg.version)
      : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function listen(server: Server, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
}

/** Test hooks for the fixture's outage: SIGUSR2 toggles it; a down-file holds it while present. */
function controlFixture(source: FixtureSource, downFile: string | undefined, logger: Logger): void {
  const set = (down: boolean) => {
    if (down === source.isDown()) return;
    source.setDown(down);
    logger.info({ down }, 'fixture outage toggled');
  };
  process.on('SIGUSR2', () => set(!source.isDown()));
  if (downFile) {
    const check = () => set(existsSync(downFile));
    check();
    setInterval(check, 250).unref();
  }
}

async function run(flags: Flags, cfg: BffConfig): Promise<void> {
  const logger = pino({ level: flags.logLevel, base: { service: 'meshlens-bff' } });
  const cpUrl = flags.controlPlaneUrl ?? cfg.controlPlane?.url;
  const cpTokenFile = flags.controlPlaneTokenFile ?? cfg.controlPlane?.tokenFile;
  if (cpUrl && cpTokenFile === undefined)
    logger.warn(
      {},
      'no --control-plane-token-file: the control plane will refuse to list proxies to the dashboard',
    );
  const cp = cpUrl
    ? createControlPlaneClient({
        url: cpUrl,
        logger,
        ...(cpTokenFile === undefined ? {} : { token: tokenFromFile(cpTokenFile) }),
      })
    : undefined;
  const ingestTokenFile = flags.ingestTokenFile ?? cfg.ingest?.tokenFile;
  const ingestToken =
    ingestTokenFile === undefined
      ? undefined
      : await readSecretFile(ingestTokenFile, '--ingest-token-file');
  const kind = flags.source ?? cfg.source ?? 'embedded';
  const source = buildSource(
    {
      kind,
      prometheusUrl: flags.prometheusUrl ?? cfg.prometheus?.url,
      prometheusHttp: backendOptions(cfg.prometheus, {
        headers: parseHeaderFlags('prometheus-header', flags.prometheusHeader),
        tenant: flags.prometheusTenant,
        bearerTokenFile: flags.prometheusBearerTokenFile,
        caFile: flags.prometheusCaFile,
        timeoutMs: flags.prometheusTimeout,
      }),
      fixtureHostile: flags.fixtureHostile ?? false,
      fixtureCanary: flags.fixtureCanary ?? false,
      fixtureClusters: flags.fixtureClusters ?? false,
      fixtureNow: flags.fixtureNow,
    },
    cfg,
    logger,
    cp,
  );
  const traceSource = buildTraceSource({
    kind: flags.tracesSource ?? cfg.traces?.source ?? 'memory',
    url: flags.tracesUrl ?? cfg.traces?.url,
    http: backendOptions(cfg.traces, {
      headers: parseHeaderFlags('traces-header', flags.tracesHeader),
      tenant: flags.tracesTenant,
      bearerTokenFile: flags.tracesBearerTokenFile,
      caFile: flags.tracesCaFile,
      timeoutMs: flags.tracesTimeout,
    }),
  });
  for (const [name, tls] of [
    ['prometheus', cfg.prometheus?.tls],
    ['traces', cfg.traces?.tls],
  ] as const) {
    if (tls?.insecureSkipVerify)
      logger.warn({ backend: name }, 'TLS certificate verification is off (insecureSkipVerify)');
  }
  if (traceSource) {
    const st = await traceSource.check();
    // not fatal: the backend may come up later; the traces view and mesh health show the error
    if (st.healthy) logger.info({ kind: st.kind, url: st.url }, 'trace source reachable');
    else logger.warn({ kind: st.kind, url: st.url, err: st.lastError }, 'trace source failing');
  }
  const persistence = flags.dataDir
    ? createPersistence({ dataDir: flags.dataDir, source, logger })
    : undefined;
  // before the first scrape: the restored rounds come first in the rings
  persistence?.restoreStore();
  await source.start();
  const basePath = flags.basePath ?? cfg.server.basePath ?? '';
  const tapCfg = cfg.tap;
  const tapEnabled = flags.noTap !== true && (tapCfg?.enabled ?? true);
  const tapCreds = tapEnabled
    ? await loadTapCredentials({
        cp,
        // certified with the dashboard's own control-plane credential (meshlens/meshlens-dashboard)
        canCertify: cpTokenFile !== undefined,
        namespace: tapCfg?.identity?.namespace ?? 'meshlens',
        serviceAccount: tapCfg?.identity?.serviceAccount ?? 'meshlens-dashboard',
        trustDomain: tapCfg?.identity?.trustDomain ?? 'cluster.local',
        tokenFile: flags.tapTokenFile ?? tapCfg?.tokenFile,
        logger,
      })
    : undefined;
  const bff = createApp({
    source,
    logger,
    version: version(),
    basePath,
    authToken: flags.authToken,
    ingestEnabled: flags.noIngest === true ? false : (cfg.ingest?.enabled ?? true),
    ingestToken,
    trustProxy: flags.trustProxy ?? cfg.server.trustProxy ?? false,
    allowedHosts: [
      ...(cfg.server.allowedHosts ?? DEFAULT_ALLOWED_HOSTS),
      ...(flags.allowedHost ?? []),
    ],
    webDist: flags.webDist ?? cfg.server.webDist ?? DEFAULT_WEB_DIST,
    ...('seedSpans' in source ? { seedSpans: source.seedSpans() } : {}),
    ...(cfg.traces ? { traceStoreOptions: cfg.traces, ingest: cfg.traces } : {}),
    controlPlane: cp && cpUrl ? { url: cpUrl, client: cp } : null,
    ...(traceSource ? { traceSource } : {}),
    processStatusFile: flags.processStatusFile ?? null,
    tap: {
      enabled: tapEnabled,
      ...(tapCfg?.maxRps === undefined ? {} : { maxRps: tapCfg.maxRps }),
      ...(tapCfg?.bufferEvents === undefined ? {} : { bufferEvents: tapCfg.bufferEvents }),
    },
    ...(tapCreds === undefined ? {} : { tapCredentials: tapCreds.credentials }),
  });
  persistence?.restoreTraces(bff.traces);
  const snapshotTimer = persistence
    ? setInterval(
        () => void persistence.snapshot(bff.traces).catch(() => undefined),
        flags.snapshotInterval,
      )
    : undefined;
  snapshotTimer?.unref();
  if ('setDown' in source) controlFixture(source, flags.fixtureDownFile, logger);

  const real = createServer(bff.app);
  const address = flags.address ?? cfg.server.address ?? '127.0.0.1';
  await listen(real, flags.port ?? cfg.server.port ?? 50750, address);
  let grpc: OtlpGrpcReceiver | undefined;
  if (flags.otlpGrpcPort !== undefined) {
    grpc = await startOtlpGrpc({
      ingest: bff.ingest,
      port: flags.otlpGrpcPort,
      address,
      logger,
      authToken: flags.authToken,
    });
  }
  const addr = real.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const host =
    typeof addr === 'object' && addr
      ? addr.family === 'IPv6'
        ? `[${addr.address}]`
        : addr.address
      : '';
  logger.info(
    { url: `http://${host}:${port}${basePath}/`, address: host, port, source: kind },
    'listening',
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    bff.close(); // ends SSE streams so close() can finish
    clearInterval(snapshotTimer);
    const httpClosed = new Promise<void>((resolve) => real.close(() => resolve()));
    void Promise.all([httpClosed, grpc?.close()])
      .then(() => source.stop())
      // the last snapshot after the last round: a restart loses nothing
      .then(() => persistence?.snapshot(bff.traces))
      .catch(() => undefined)
      .finally(() => {
        tapCreds?.close();
        cp?.close();
        traceSource?.close();
        logger.info('stopped');
        process.exit(0);
      });
    real.closeIdleConnections();
    setTimeout(() => real.closeAllConnections(), 5000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/** A token from a file (a mounted Secret); refuses to start on a missing, empty or short one. */
async function readSecretFile(file: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const token = text.trim();
  if (token.length < 16)
    throw new Error(`${what} ${file}: the token must have at least 16 characters`);
  return token;
}

async function main(): Promise<void> {
  let flags: Flags;
  let cfg: BffConfig;
  try {
    flags = parseFlags(process.argv.slice(2), process.env);
    if (flags.help) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    cfg = flags.config ? await loadConfigFile(flags.config) : parseConfig({});
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(
      `meshlens-bff: ${msg}\n\n${err instanceof ConfigError ? '' : `${USAGE}\n`}`,
    );
    process.exit(2);
  }
  try {
    await run(flags, cfg);
  } catch (err) {
    process.stderr.write(`meshlens-bff: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

void main();
