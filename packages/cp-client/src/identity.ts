import { EventEmitter } from 'node:events';
import { formatSpiffeId } from '@meshlens/mesh-config/spiffe';
import { createBackoff } from './backoff';
import type { ControlPlaneClient } from './client';
import { createCsr } from './csr';
import { silentLogger, type ClientLogger } from './logger';

export interface IdentityMaterial {
  keyPem: string;
  certPem: string;
  caPem: string;
  notAfter: Date;
  spiffeId: string;
}

export interface WorkloadIdentity {
  readonly spiffeId: string;
  current(): IdentityMaterial;
  /** Fires after each renewal with the new material (e.g. call server.setSecureContext). */
  onRotate(listener: (m: IdentityMaterial) => void): () => void;
  close(): void;
}

export interface WorkloadIdentityOptions {
  client: Pick<ControlPlaneClient, 'issueCertificate'>;
  namespace: string;
  serviceAccount: string;
  trustDomain: string;
  /** Renew this many ms before expiry; default a third of the certificate's lifetime. */
  renewBefore?: number;
  logger?: ClientLogger;
}

/**
 * Obtains the first certificate (resolves when it is there) and renews it before expiry,
 * retrying with backoff while the control plane is unreachable.
 */
export async function createWorkloadIdentity(
  opts: WorkloadIdentityOptions,
): Promise<WorkloadIdentity> {
  const spiffeId = formatSpiffeId(opts.trustDomain, opts.namespace, opts.serviceAccount);
  const logger = opts.logger ?? silentLogger;
  const events = new EventEmitter();
  const backoff = createBackoff({ initialMs: 500, maxMs: 30_000 });
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const obtain = async (): Promise<IdentityMaterial> => {
    const { keyPem, csrPem } = await createCsr(spiffeId);
    const issued = await opts.client.issueCertificate(csrPem);
    return {
      keyPem,
      certPem: issued.certificatePem,
      caPem: issued.caPem,
      notAfter: issued.notAfter,
      spiffeId,
    };
  };

  let material = await obtain();

  const schedule = (delayMs: number) => {
    if (closed) return;
    timer = setTimeout(() => void renew(), Math.max(0, Math.min(delayMs, 2 ** 31 - 1)));
    timer.unref();
  };
  const renewDelay = (m: IdentityMaterial) => {
    const lifetime = m.notAfter.getTime() - Date.now();
    const before = opts.renewBefore ?? lifetime / 3;
    // A renewBefore longer than the lifetime would renew in a tight loop; renew at half-life then.
    return before >= lifetime ? lifetime / 2 : lifetime - before;
  };
  const renew = async () => {
    try {
      material = await obtain();
      backoff.reset();
      logger.info(
        { spiffeId, notAfter: material.notAfter.toISOString() },
        'workload certificate renewed',
      );
      events.emit('rotate', material);
      schedule(renewDelay(material));
    } catch (err) {
      const delay = backoff.next();
      logger.warn(
        { err: String(err), retryInMs: Math.round(delay) },
        'workload certificate renewal failed',
      );
      schedule(delay);
    }
  };
  schedule(renewDelay(material));

  return {
    spiffeId,
    current: () => material,
    onRotate(listener) {
      events.on('rotate', listener);
      return () => events.off('rotate', listener);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      events.removeAllListeners();
    },
  };
}
