import type { CoreV1Api, KubeConfig, V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { caFromPem, generateCaPem, type CertificateAuthority } from '../ca';
import { statusOf } from './leader';

/**
 * The CA every replica signs with, kept in a `kubernetes.io/tls` Secret. The first replica to
 * find none creates it; a replica that loses that race (409 AlreadyExists) reads the winner's,
 * so all replicas always share one root.
 */
export async function loadOrCreateCaSecret(opts: {
  kubeConfig: KubeConfig;
  logger: Logger;
  namespace: string;
  name: string;
  trustDomain: string;
}): Promise<{ ca: CertificateAuthority; source: 'secret' | 'generated' }> {
  const k8s = await import('@kubernetes/client-node');
  const core: CoreV1Api = opts.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const read = async (): Promise<V1Secret | undefined> => {
    try {
      return await core.readNamespacedSecret({ name: opts.name, namespace: opts.namespace });
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw new Error(
        `cannot read CA Secret ${opts.namespace}/${opts.name}: ${(err as Error).message}`,
      );
    }
  };
  const fromSecret = async (s: V1Secret) => {
    const crt = s.data?.['tls.crt'];
    const key = s.data?.['tls.key'];
    if (crt === undefined || key === undefined)
      throw new Error(`CA Secret ${opts.namespace}/${opts.name} has no tls.crt/tls.key`);
    return caFromPem(
      {
        certPem: Buffer.from(crt, 'base64').toString('utf8'),
        keyPem: Buffer.from(key, 'base64').toString('utf8'),
      },
      opts.trustDomain,
    );
  };
  const existing = await read();
  if (existing !== undefined) return { ca: await fromSecret(existing), source: 'secret' };
  const pem = await generateCaPem(opts.trustDomain);
  try {
    await core.createNamespacedSecret({
      namespace: opts.namespace,
      body: {
        metadata: { name: opts.name, namespace: opts.namespace },
        type: 'kubernetes.io/tls',
        data: {
          'tls.crt': Buffer.from(pem.certPem).toString('base64'),
          'tls.key': Buffer.from(pem.keyPem).toString('base64'),
        },
      },
    });
    opts.logger.info(
      { secret: `${opts.namespace}/${opts.name}` },
      'generated the mesh CA into a Secret',
    );
    return { ca: await caFromPem(pem, opts.trustDomain), source: 'generated' };
  } catch (err) {
    if (statusOf(err) !== 409) throw err;
    const winner = await read();
    if (winner === undefined) throw new Error(`CA Secret ${opts.namespace}/${opts.name} vanished`);
    return { ca: await fromSecret(winner), source: 'secret' };
  }
}
