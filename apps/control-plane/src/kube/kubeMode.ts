import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { CertificateAuthority } from '../ca';
import type { KubeFlags } from '../flags';
import type { EndpointRegistry } from '../registry';
import { loadOrCreateCaSecret } from './caSecret';
import { startKubeConfigStore, type KubeConfigStore } from './configFromKube';
import { startKubeDiscovery, withKubernetes } from './discovery';
import { startLeaderElection, type LeaderElection } from './leader';
import { createStatusWriter } from './status';

export interface KubeMode {
  ca: CertificateAuthority;
  caSource: string;
  config: KubeConfigStore;
  registry: EndpointRegistry;
  leader: LeaderElection;
  close(): Promise<void>;
}

export async function loadKubeConfig(path: string | undefined): Promise<KubeConfig> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  if (path === undefined) kc.loadFromDefault();
  else kc.loadFromFile(path);
  if (kc.getCurrentCluster() === null)
    throw new Error(
      path === undefined
        ? 'no Kubernetes cluster: not in a pod and no ~/.kube/config (use --kubeconfig)'
        : `kubeconfig ${path} names no current cluster`,
    );
  return kc;
}

/**
 * Everything the control plane takes from the Kubernetes API: endpoints (the API wins over
 * self-registration), configuration validated per object with status written back by the
 * leader, and the CA shared through a Secret.
 */
export async function startKubeMode(opts: {
  flags: KubeFlags;
  trustDomain: string;
  registry: EndpointRegistry;
  logger: Logger;
  kubeConfig?: KubeConfig;
  /** Informer retry backoff (tests make it short). */
  backoffMs?: number;
  leaderRetryMs?: number;
}): Promise<KubeMode> {
  const logger = opts.logger.child({ component: 'kubernetes' });
  const kubeConfig = opts.kubeConfig ?? (await loadKubeConfig(opts.flags.kubeconfig));
  const { ca, source } = await loadOrCreateCaSecret({
    kubeConfig,
    logger,
    namespace: opts.flags.namespace,
    name: opts.flags.caSecret,
    trustDomain: opts.trustDomain,
  });
  const backoff = opts.backoffMs === undefined ? {} : { backoffMs: opts.backoffMs };
  const discovery = await startKubeDiscovery({ kubeConfig, logger, ...backoff });
  const serviceChange = new Set<() => void>();
  const offDiscovery = discovery.onChange(() => {
    for (const l of serviceChange) l();
  });
  const config = await startKubeConfigStore({
    kubeConfig,
    logger,
    serviceExists: (ns, name) => discovery.forService(`${name}.${ns}`) !== undefined,
    onServicesChange: (l) => {
      serviceChange.add(l);
      return () => serviceChange.delete(l);
    },
    ...backoff,
  });
  const leader = await startLeaderElection({
    kubeConfig,
    logger,
    namespace: opts.flags.namespace,
    name: 'meshlens-control-plane',
    identity: opts.flags.replicaId,
    leaseDurationSeconds: opts.flags.leaseSeconds,
    retryPeriodMs: opts.leaderRetryMs ?? Math.max(500, (opts.flags.leaseSeconds * 1000) / 5),
  });
  const writer = await createStatusWriter({ kubeConfig, logger });
  const writeIfLeader = () => {
    if (leader.isLeader()) void writer.write(config.verdicts());
  };
  const offVerdicts = config.onVerdicts(writeIfLeader);
  const offLeader = leader.onChange(writeIfLeader);
  writeIfLeader();
  return {
    ca,
    caSource: source,
    config,
    registry: withKubernetes(opts.registry, discovery),
    leader,
    async close() {
      offVerdicts();
      offLeader();
      offDiscovery();
      await leader.stop();
      config.close();
      discovery.stop();
    },
  };
}
