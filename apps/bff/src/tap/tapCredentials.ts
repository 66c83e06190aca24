import { readFile } from 'node:fs/promises';
import {
  type ControlPlaneClient,
  type WorkloadIdentity,
  createWorkloadIdentity,
} from '@meshlens/cp-client';
import type { Logger } from 'pino';
import type { TapCredentials } from './tapUpstream';

export interface TapIdentityOptions {
  cp: ControlPlaneClient | undefined;
  /** the control-plane client carries the dashboard's own credential (join or projected token) */
  canCertify: boolean;
  namespace: string;
  serviceAccount: string;
  trustDomain: string;
  tokenFile: string | undefined;
  logger: Logger;
}

/**
 * The dashboard's credentials for tapping: a workload certificate from the control plane (like
 * a proxy's, renewed before expiry) and/or a tap token read from a file. Without either, proxies
 * answer 403 and the tap says so.
 */
export async function loadTapCredentials(
  opts: TapIdentityOptions,
): Promise<{ credentials: () => TapCredentials; close(): void }> {
  let token: string | undefined;
  if (opts.tokenFile !== undefined) {
    try {
      token = (await readFile(opts.tokenFile, 'utf8')).trim();
    } catch (err) {
      throw new Error(
        `tap token file ${opts.tokenFile}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  if (opts.cp === undefined || !opts.canCertify) {
    return { credentials: () => (token === undefined ? {} : { token }), close: () => undefined };
  }
  // The identity comes in the background: the dashboard serves everything else while the control
  // plane is away, and taps say why proxies refuse until the certificate is there.
  let identity: WorkloadIdentity | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const cp = opts.cp;
  const attempt = (delayMs: number) => {
    createWorkloadIdentity({
      client: cp,
      namespace: opts.namespace,
      serviceAccount: opts.serviceAccount,
      trustDomain: opts.trustDomain,
      logger: opts.logger,
    }).then(
      (id) => {
        if (closed) {
          id.close();
          return;
        }
        identity = id;
        opts.logger.info({ spiffeId: id.spiffeId }, 'dashboard mesh identity issued (tap)');
      },
      (err: unknown) => {
        if (closed) return;
        opts.logger.warn(
          { err: String(err), retryInMs: delayMs },
          'cannot get the dashboard mesh identity yet (tap)',
        );
        timer = setTimeout(() => attempt(Math.min(delayMs * 2, 10_000)), delayMs);
        timer.unref();
      },
    );
  };
  attempt(250);
  return {
    credentials: () => {
      const id = identity;
      const withToken = token === undefined ? {} : { token };
      if (id === undefined) return withToken;
      return { tls: () => id.current(), trustDomain: opts.trustDomain, ...withToken };
    },
    close: () => {
      closed = true;
      clearTimeout(timer);
      identity?.close();
    },
  };
}
