import { existsSync, readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createControlPlaneClient } from '@meshlens/cp-client';
import { type Logger, pino } from 'pino';
import { createApp } from './app';
import { type BffConfig, ConfigError, loadConfigFile, parseConfig } from './config';
import { type Flags, USAGE, parseFlags } from './flags';
import type { FixtureSource } from './fixture/fixtureSource';
import { DEFAULT_ALLOWED_HOSTS } from './security';
import { buildSource } from './sources';
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
  const bootstrapToken = flags.bootstrapToken;
  const cp = cpUrl
    ? createControlPlaneClient({
        url: cpUrl,
        logger,
        ...(bootstrapToken === undefined ? {} : { token: bootstrapToken }),
      })
    : undefined;
  const kind = flags.source ?? cfg.source ?? 'embedded';
  const source = buildSource(
    {
      kind,
      prometheusUrl: flags.prometheusUrl ?? cfg.prometheus?.url,
      fixtureHostile: flags.fixtureHostile ?? false,
      fixtureNow: flags.fixtureNow,
    },
    cfg,
    logger,
    cp,
  );
  await source.start();
  const basePath = flags.basePath ?? cfg.server.basePath ?? '';
  const tapCfg = cfg.tap;
  const tapEnabled = flags.noTap !== true && (tapCfg?.enabled ?? true);
  const tapCreds = tapEnabled
    ? await loadTapCredentials({
        cp,
        bootstrapToken,
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
    allowedHosts: [
      ...(cfg.server.allowedHosts ?? DEFAULT_ALLOWED_HOSTS),
      ...(flags.allowedHost ?? []),
    ],
    webDist: flags.webDist ?? cfg.server.webDist ?? DEFAULT_WEB_DIST,
    ...('seedSpans' in source ? { seedSpans: source.seedSpans() } : {}),
    ...(cfg.traces ? { traceStoreOptions: cfg.traces, ingest: cfg.traces } : {}),
    controlPlane: cp && cpUrl ? { url: cpUrl, client: cp } : null,
    tap: {
      enabled: tapEnabled,
      ...(tapCfg?.maxRps === undefined ? {} : { maxRps: tapCfg.maxRps }),
      ...(tapCfg?.bufferEvents === undefined ? {} : { bufferEvents: tapCfg.bufferEvents }),
    },
    ...(tapCreds === undefined ? {} : { tapCredentials: tapCreds.credentials }),
  });
  if ('setDown' in source) controlFixture(source, flags.fixtureDownFile, logger);

  const real = createServer(bff.app);
  await listen(
    real,
    flags.port ?? cfg.server.port ?? 50750,
    flags.address ?? cfg.server.address ?? '127.0.0.1',
  );
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
    real.close(() => {
      void source.stop().finally(() => {
        tapCreds?.close();
        cp?.close();
        logger.info('stopped');
        process.exit(0);
      });
    });
    real.closeIdleConnections();
    setTimeout(() => real.closeAllConnections(), 5000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
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
