import { mkdir, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { loadOrCreateAdminToken } from './adminToken';
import { createApp, type AppDeps, type ControlPlaneApp } from './app';
import { createAuthenticator } from './auth';
import { loadOrCreateCa } from './ca';
import { createConfigStore } from './configStore';
import type { CpFlags, KubeFlags } from './flags';
import { openJoinTokenStore } from './joinTokens';
import { startKubeMode } from './kube/kubeMode';
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

/** Test seams for Kubernetes mode. */
export interface StartOptions {
  kubeConfig?: KubeConfig;
  kubeBackoffMs?: number;
  leaderRetryMs?: number;
}

/** Builds every part from validated flags and listens. Used by main.ts and in-process tests. */
export async function startControlPlane(
  flags: CpFlags,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningControlPlane> {
  if (flags.kubernetes !== undefined)
    return startInKubernetes(flags, flags.kubernetes, logger, options);
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
  const identity = await identityParts(flags, logger);
  const config = await createConfigStore({ dir: flags.configDir, logger });
  const registry = createRegistry({
    leaseTtlMs: flags.leaseTtlSeconds * 1000,
    sweepMs: Math.min(500, flags.leaseTtlSeconds * 250),
  });
  const stopPersisting = await persistRegistry(registry, flags.dataDir, logger);
  const app = createApp(appDeps(flags, logger, { registry, config, ca, ...identity.deps }));
  const { server, url, port } = await listen(app, flags);
  return {
    url,
    port,
    adminTokenFile: identity.adminTokenFile,
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

/**
 * In a cluster: endpoints, configuration and the CA come from the Kubernetes API; any number
 * of replicas serve the same answers, and the leader writes object status.
 */
async function startInKubernetes(
  flags: CpFlags,
  kube: KubeFlags,
  logger: Logger,
  options: StartOptions,
): Promise<RunningControlPlane> {
  if (flags.configDir !== undefined)
    throw new Error(
      '--config-dir and --kubernetes exclude each other: in Kubernetes, configuration comes from the API',
    );
  const identity = await identityParts(flags, logger, options.kubeConfig);
  // Self-registration still serves workloads outside the cluster. Nothing is persisted locally:
  // the API is the state, and replicas must not diverge through files of their own.
  const local = createRegistry({
    leaseTtlMs: flags.leaseTtlSeconds * 1000,
    sweepMs: Math.min(500, flags.leaseTtlSeconds * 250),
  });
  const mode = await startKubeMode({
    flags: kube,
    trustDomain: flags.trustDomain,
    registry: local,
    logger,
    ...(options.kubeConfig ? { kubeConfig: options.kubeConfig } : {}),
    ...(options.kubeBackoffMs === undefined ? {} : { backoffMs: options.kubeBackoffMs }),
    ...(options.leaderRetryMs === undefined ? {} : { leaderRetryMs: options.leaderRetryMs }),
  });
  logger.info(
    { source: mode.caSource, caExpiry: mode.ca.notAfter.toISOString() },
    'certificate authority ready',
  );
  const app = createApp({
    ...appDeps(flags, logger, {
      registry: mode.registry,
      config: mode.config,
      ca: mode.ca,
      ...identity.deps,
    }),
    configObjects: () => mode.config.objects(),
    isLeader: () => mode.leader.isLeader(),
  });
  const { server, url, port } = await listen(app, flags);
  return {
    url,
    port,
    adminTokenFile: identity.adminTokenFile,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      app.close();
      server.closeIdleConnections();
      await mode.close();
      local.close();
      await closed;
    },
  };
}

/** Who may do what: the admin token, join tokens and (Kubernetes) TokenReview. */
async function identityParts(flags: CpFlags, logger: Logger, kubeConfig?: KubeConfig) {
  await mkdir(flags.dataDir, { recursive: true, mode: 0o700 });
  const admin = await loadOrCreateAdminToken({
    dataDir: flags.dataDir,
    file: flags.adminTokenFile,
  });
  logger.info({ file: admin.file, created: admin.created }, 'admin token ready');
  const joinTokens = await openJoinTokenStore({ dataDir: flags.dataDir });
  const reviewer = flags.tokenReview
    ? await createTokenReviewer({
        kubeconfigFile: flags.tokenReview.kubeconfigFile,
        audience: flags.tokenReview.audience,
        ...(kubeConfig ? { kubeConfig } : {}),
      })
    : undefined;
  if (reviewer)
    logger.info(
      { audience: flags.tokenReview?.audience },
      'accepting Kubernetes service-account tokens (TokenReview)',
    );
  return {
    adminTokenFile: admin.file,
    deps: { authenticator: createAuthenticator({ joinTokens, admin, reviewer }), joinTokens },
  };
}

function appDeps(
  flags: CpFlags,
  logger: Logger,
  parts: Pick<AppDeps, 'registry' | 'config' | 'ca' | 'authenticator' | 'joinTokens'>,
): AppDeps {
  return {
    ...parts,
    logger,
    trustDomain: flags.trustDomain,
    leaseTtlSeconds: flags.leaseTtlSeconds,
    leaseStreamMaxMs: flags.leaseStreamMaxSeconds * 1000,
    certTtlMs: flags.certTtlMs,
    version: CP_VERSION,
  };
}

async function listen(
  app: ControlPlaneApp,
  flags: CpFlags,
): Promise<{ server: Server; url: string; port: number }> {
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
  return { server, url: `http://${host}:${port}`, port };
}
