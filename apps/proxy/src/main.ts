import { readFile } from 'node:fs/promises';
import { createApp } from './app';
import { createLogger, type ProxyLogger } from './log';
import type { DiscoverySource } from './discovery/discoverySource';
import { FileDiscovery } from './discovery/fileDiscovery';
import { HELP_TEXT, parseFlags, type ProxyFlags } from './flags';
import { createMetrics, type ProxyMetrics } from './metrics';
import type { MeshSetup } from './controlPlane/setup';
import { createOriginalDstReader } from './capture/originalDst';

async function main(): Promise<void> {
  const parsed = parseFlags(process.argv.slice(2), process.env);
  if (parsed.kind === 'help') {
    process.stdout.write(HELP_TEXT);
    return;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(
      `meshlens proxy: invalid flags: ${parsed.message}\nRun with --help for usage.\n`,
    );
    process.exitCode = 2;
    return;
  }
  const flags = parsed.flags;
  const logger = createLogger(flags.logLevel, { component: 'proxy', pod: flags.identity.pod });
  const metrics = createMetrics();
  const discovery: DiscoverySource[] = [];
  if (flags.discoveryFile !== undefined) {
    discovery.push(
      new FileDiscovery({
        file: flags.discoveryFile,
        logger,
        onReload: (result) => metrics.discoveryReloads.inc({ source: 'file', result }),
      }),
    );
  }
  const tapToken = await readTapToken(flags.tap.tokenFile);
  const mesh = await setupMesh(flags, logger, metrics);
  // Control-plane endpoints first; a discovery file can add services the control plane lacks.
  discovery.unshift(...mesh.discovery);
  for (const d of discovery) await d.start();
  // Before anything listens: without SO_ORIGINAL_DST captured traffic could not be routed.
  const readOriginalDst = flags.capture ? createOriginalDstReader() : undefined;
  const app = createApp({
    flags,
    ...(readOriginalDst === undefined ? {} : { readOriginalDst }),
    logger,
    discovery,
    metrics,
    ...(tapToken === undefined ? {} : { tapToken }),
    ...(mesh.router === undefined ? {} : { router: mesh.router }),
    ...(mesh.authorizer === undefined ? {} : { authorizer: mesh.authorizer }),
    ...(mesh.meshTls === undefined ? {} : { meshTls: mesh.meshTls }),
  });
  const bound = await app.start();
  mesh.afterListen(bound);
  // Other processes wait for this line, so it is written whatever the log level.
  logger
    .withLevel('info')
    .info({ ...bound, identity: flags.identity, tlsMode: flags.tlsMode }, 'listening');
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    mesh.close();
    app.stop().then(
      () => {
        logger.info({}, 'stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/**
 * Control plane, mesh config and identity, loaded only when the flags ask for them: a proxy on a
 * discovery file alone never loads the control-plane client or the mesh config's schemas.
 */
async function setupMesh(
  flags: ProxyFlags,
  logger: ProxyLogger,
  metrics: ProxyMetrics,
): Promise<MeshSetup> {
  const none =
    flags.controlPlaneUrl === undefined &&
    flags.configFile === undefined &&
    flags.tlsMode === 'disabled';
  if (none) return { discovery: [], afterListen: () => undefined, close: () => undefined };
  const { setupMesh: setup } = await import('./controlPlane/setup');
  return setup(flags, logger, metrics);
}

async function readTapToken(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(
      `--tap-token-file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const token = text.trim();
  if (token.length < 16)
    throw new Error(`--tap-token-file ${file}: the token needs 16 characters or more`);
  return token;
}

main().catch((err: unknown) => {
  process.stderr.write(`meshlens proxy: ${(err as Error).message}\n`);
  process.exit(1);
});
