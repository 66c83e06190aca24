import { readFile } from 'node:fs/promises';
import {
  createControlPlaneClient,
  createWorkloadIdentity,
  tokenFromFile,
  type ControlPlaneClient,
  type WorkloadIdentity,
} from '@meshlens/cp-client';
import type { BoundAddress } from '../app';
import type { DiscoverySource } from '../discovery/discoverySource';
import type { ProxyFlags } from '../flags';
import type { Authorizer } from '../inbound';
import { ConfigStore } from '../meshConfigSource';
import { createMeshAuthorizer, createMeshRouter } from '../meshRouter';
import type { ProxyMetrics } from '../metrics';
import { MeshTls } from '../mtls';
import type { Router } from '../router';
import { ControlPlaneDiscovery } from './cpDiscovery';

export const PROXY_VERSION = '0.1.0';

interface Logger {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
  error(o: object, m: string): void;
}

export interface MeshSetup {
  discovery: DiscoverySource[];
  router?: Router;
  authorizer?: Authorizer;
  meshTls?: MeshTls;
  configStore?: ConfigStore;
  /** Registers this instance with the control plane once the listeners are bound. */
  afterListen(bound: { inbound: BoundAddress; admin: BoundAddress }): void;
  close(): void;
}

/**
 * Control plane, mesh config and identity (issue 4). Without --control-plane-url and
 * --config-file this adds nothing and the proxy routes straight to the named services.
 */
export async function setupMesh(
  flags: ProxyFlags,
  logger: Logger,
  metrics: ProxyMetrics,
): Promise<MeshSetup> {
  if (flags.tlsMode !== 'disabled' && flags.controlPlaneUrl === undefined) {
    throw new Error(
      `--tls-mode ${flags.tlsMode} needs --control-plane-url (certificates come from the control plane)`,
    );
  }
  if (flags.controlPlaneUrl !== undefined) await checkTokenFile(flags.tokenFile);
  const closers: (() => void)[] = [];
  const setup: MeshSetup = {
    discovery: [],
    afterListen: () => undefined,
    close: () => closers.forEach((c) => c()),
  };
  const store = new ConfigStore();
  let cp: ControlPlaneClient | undefined;
  if (flags.controlPlaneUrl !== undefined) {
    cp = createControlPlaneClient({
      url: flags.controlPlaneUrl,
      ...(flags.tokenFile === undefined ? {} : { token: tokenFromFile(flags.tokenFile) }),
      logger,
    });
    const client = cp;
    closers.push(() => client.close());
    setup.discovery.push(new ControlPlaneDiscovery(cp));
    closers.push(
      cp.watchConfig((config, version) => {
        store.set(config, version);
        metrics.discoveryReloads.inc({ source: 'control-plane-config', result: 'success' });
        logger.info({ version, routes: config.routes.length }, 'mesh config from control plane');
      }),
    );
    setup.configStore = store;
  } else if (flags.configFile !== undefined) {
    const { FileConfigSource } = await import('../meshConfigFile');
    const source = new FileConfigSource(flags.configFile, store, logger, (result) =>
      metrics.discoveryReloads.inc({ source: 'config-file', result }),
    );
    await source.start();
    closers.push(() => source.stop());
    setup.configStore = store;
  }
  if (setup.configStore !== undefined) {
    setup.router = createMeshRouter(store);
    setup.authorizer = createMeshAuthorizer(store, {
      service: flags.identity.service,
      namespace: flags.identity.namespace,
    });
  }
  if (cp !== undefined && flags.tlsMode !== 'disabled') {
    const identity = await obtainIdentity(cp, flags, logger);
    closers.push(() => identity.close());
    const mode = flags.tlsMode;
    setup.meshTls = new MeshTls(identity, mode, flags.trustDomain, logger);
  }
  if (cp !== undefined) {
    const client = cp;
    setup.afterListen = (bound) => {
      const id = flags.identity;
      client
        .register({
          namespace: id.namespace,
          service: id.service,
          workload: id.workload,
          pod: id.pod,
          ...(id.version === undefined ? {} : { version: id.version }),
          serviceAccount: id.serviceAccount,
          address: bound.inbound.address,
          port: bound.inbound.port,
          adminAddress: bound.admin.address,
          adminPort: bound.admin.port,
          proxyVersion: PROXY_VERSION,
        })
        .then(
          () =>
            logger.info(
              { service: `${id.service}.${id.namespace}` },
              'registered with the control plane',
            ),
          (err: unknown) =>
            logger.warn({ err: String(err) }, 'registration failed; the client keeps retrying'),
        );
    };
  }
  return setup;
}

/** The first certificate; retried with backoff while the control plane is not there yet. */
async function obtainIdentity(
  cp: ControlPlaneClient,
  flags: ProxyFlags,
  logger: Logger,
): Promise<WorkloadIdentity> {
  let delay = 250;
  for (;;) {
    try {
      const identity = await createWorkloadIdentity({
        client: cp,
        namespace: flags.identity.namespace,
        serviceAccount: flags.identity.serviceAccount,
        trustDomain: flags.trustDomain,
        logger,
      });
      logger.info(
        { spiffeId: identity.spiffeId, notAfter: identity.current().notAfter.toISOString() },
        'workload certificate issued',
      );
      return identity;
    } catch (err) {
      logger.warn({ err: String(err), retryInMs: delay }, 'cannot get a workload certificate yet');
      await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random() / 2)));
      delay = Math.min(delay * 2, 5000);
    }
  }
}

/** Fails at start, naming the problem, rather than retrying a request that can never succeed. */
async function checkTokenFile(file: string | undefined): Promise<void> {
  if (file === undefined) {
    throw new Error(
      '--control-plane-url needs --token-file: the control plane answers only workloads that ' +
        'prove their service account (a join token from `meshlens token create`, or a projected ' +
        'Kubernetes service-account token with audience meshlens)',
    );
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`--token-file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (text.trim() === '') throw new Error(`--token-file ${file} is empty`);
}
