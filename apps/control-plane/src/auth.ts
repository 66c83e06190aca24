import type { IncomingMessage } from 'node:http';
import type { AdminCredential } from './adminToken';
import { ForbiddenError, UnauthorizedError } from './errors';
import { JOIN_TOKEN_PREFIX, type JoinTokenStore } from './joinTokens';
import type { TokenReviewer } from './tokenReview';

/** Who is calling, as proven by the bearer token. */
export type Caller =
  | { kind: 'admin' }
  | {
      kind: 'workload';
      namespace: string;
      serviceAccount: string;
      via: 'join-token' | 'kubernetes';
      /** Join tokens only: lets a revocation, or the expiry, end the watches opened with it. */
      tokenId?: string;
      expiresAt?: number;
    };

export interface Authenticator {
  /** Throws UnauthorizedError (401) / UnavailableError (503) naming why. */
  authenticate(req: IncomingMessage): Promise<Caller>;
}

export function createAuthenticator(deps: {
  joinTokens: JoinTokenStore;
  admin: AdminCredential;
  /** Present when Kubernetes service-account tokens are accepted. */
  reviewer: TokenReviewer | undefined;
}): Authenticator {
  return {
    async authenticate(req) {
      const m = /^Bearer +(\S+) *$/.exec(req.headers.authorization ?? '');
      const token = m?.[1];
      if (token === undefined) throw new UnauthorizedError();
      if (token.startsWith(JOIN_TOKEN_PREFIX)) {
        const t = deps.joinTokens.verify(token);
        return {
          kind: 'workload',
          namespace: t.namespace,
          serviceAccount: t.serviceAccount,
          via: 'join-token',
          tokenId: t.tokenId,
          expiresAt: t.expiresAt,
        };
      }
      if (deps.admin.matches(token)) return { kind: 'admin' };
      if (deps.reviewer) {
        const c = await deps.reviewer.review(token);
        return { kind: 'workload', ...c, via: 'kubernetes' };
      }
      throw new UnauthorizedError(
        'token is not valid (expected a join token from `meshlens token create`)',
      );
    },
  };
}

/** The workload behind the token must be the one named in the request. */
export function requireWorkload(
  caller: Caller,
  namespace: string,
  serviceAccount: string,
  action: string,
): void {
  if (caller.kind !== 'workload')
    throw new ForbiddenError(`the admin token cannot ${action}; use the workload's own token`);
  if (caller.namespace !== namespace || caller.serviceAccount !== serviceAccount) {
    throw new ForbiddenError(
      `the token speaks for service account ${caller.namespace}/${caller.serviceAccount}; ` +
        `it cannot ${action} for ${namespace}/${serviceAccount}`,
    );
  }
}

export function requireAdmin(caller: Caller): void {
  if (caller.kind !== 'admin')
    throw new ForbiddenError('join tokens are managed with the admin token only');
}
