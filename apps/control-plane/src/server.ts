import { mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { loadOrCreateAdminToken } from './adminToken';
import { createApp } from './app';
import { createAuthenticator } from './auth';
import { loadOrCreateCa } from './ca';
import { createConfigStore } from './configStore';
import type { CpFlags } from './flags';
import { openJoinTokenStore } from './joinTokens';
import { persistRegistry } from './persist';
import { createRegistry } from './registry';
import { createTokenReviewer } from './tokenReview';

export const CP_VERSION = '0.1.0';

export interface RunningControlPlane {
  url: string;
  port: number;
  /** Where the admin token is (tests and `npm start` read it to create join tokens). */
  adminTokenFile: string;
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
  await mkdir(flags.dataDir, { recursive: true, mode: 0o700 });
  const admin = await loadOrCreateAdminToken({
    dataDir: flags.dataDir,
    file: flags.adminTokenFile,
  });
  logger.info({ file: admin.file, created: admin.created }, 'admin token ready');
  const joinTokens = await openJoinTokenStore({ dataDir: flags.dataDir });
  const reviewer = flags.kubernetes
    ? await createTokenReviewer({
        kubeconfigFile: flags.kubernetes.kubeconfigFile,
        audience: flags.kubernetes.audience,
      })
    : undefined;
  if (reviewer)
    logger.info(
      { audience: flags.kubernetes?.audience },
      'accepting Kubernetes service-account tokens (TokenReview)',
    );
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
    authenticator: createAuthenticator({ joinTokens, admin, reviewer }),
    joinTokens,
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
    adminTokenFile: admin.file,
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
