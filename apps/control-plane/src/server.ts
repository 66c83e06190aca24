import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app';
import { loadOrCreateCa } from './ca';
import { createConfigStore } from './configStore';
import type { CpFlags } from './flags';
import { persistRegistry } from './persist';
import { createRegistry } from './registry';

export const CP_VERSION = '0.1.0';

export interface RunningControlPlane {
  url: string;
  port: number;
  /** Stops accepting, ends watch streams, waits for in-flight requests. */
  close(): Promise<void>;
}

/** Builds every part from validated flags and listens. Used by main.ts and in-process tests. */
export async function startControlPlane(
  flags: CpFlags,
  logger: Logger,
): Promise<RunningControlPlane> {
  if (flags.configDir !== undefined) {
    const s = await stat(flags.configDir).catch(() => undefined);
    if (!s?.isDirectory()) throw new Error(`--config-dir ${flags.configDir} is not a directory`);
  }
  const { ca, source } = await loadOrCreateCa({
    dataDir: flags.dataDir,
    trustDomain: flags.trustDomain,
    ...(flags.caFiles ? { files: flags.caFiles } : {}),
  });
  logger.info({ source, caExpiry: ca.notAfter.toISOString() }, 'certificate authority ready');
  if (flags.bootstrapToken === undefined)
    logger.warn({}, 'no bootstrap token: certificate issuance is disabled');
  const config = await createConfigStore({ dir: flags.configDir, logger });
  const registry = createRegistry({
    leaseTtlMs: flags.leaseTtlSeconds * 1000,
    sweepMs: Math.min(500, flags.leaseTtlSeconds * 250),
  });
  const stopPersisting = await persistRegistry(registry, flags.dataDir, logger);
  const app = createApp({
    registry,
    config,
    ca,
    logger,
    trustDomain: flags.trustDomain,
    bootstrapToken: flags.bootstrapToken,
    leaseTtlSeconds: flags.leaseTtlSeconds,
    certTtlMs: flags.certTtlMs,
    version: CP_VERSION,
  });
  const server = createServer((req, res) => app.handle(req, res));
  // Watch streams are long-lived; no request timeout for them, headers still bounded.
  server.requestTimeout = 0;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(flags.port, flags.address, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = flags.address.includes(':') ? `[${flags.address}]` : flags.address;
  return {
    url: `http://${host}:${port}`,
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      app.close();
      server.closeIdleConnections();
      config.close();
      await stopPersisting();
      registry.close();
      await closed;
    },
  };
}
