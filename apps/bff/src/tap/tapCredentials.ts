import { readFile } from 'node:fs/promises';
import { type ControlPlaneClient, createWorkloadIdentity } from '@meshlens/cp-client';
import type { Logger } from 'pino';
import type { TapCredentials } from './tapUpstream';

export interface TapIdentityOptions {
  cp: ControlPlaneClient | undefined;
  bootstrapToken: string | undefined;
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
  if (opts.cp === undefined || opts.bootstrapToken === undefined) {
    return { credentials: () => (token === undefined ? {} : { token }), close: () => undefined };
  }
  const identity = await createWorkloadIdentity({
    client: opts.cp,
    namespace: opts.namespace,
    serviceAccount: opts.serviceAccount,
    trustDomain: opts.trustDomain,
    logger: opts.logger,
  });
  opts.logger.info({ spiffeId: identity.spiffeId }, 'dashboard mesh identity issued (tap)');
  return {
    credentials: () => ({
      tls: () => identity.current(),
      trustDomain: opts.trustDomain,
      ...(token === undefined ? {} : { token }),
    }),
    close: () => identity.close(),
  };
}
