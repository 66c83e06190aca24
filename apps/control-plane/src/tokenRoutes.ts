import type { IncomingMessage, ServerResponse } from 'node:http';
import { joinTokenCreateRequestSchema } from '@meshlens/cp-client';
import type { Logger } from 'pino';
import { requireAdmin, type Caller } from './auth';
import { InvalidInputError } from './errors';
import { parseWith, readJson, sendJson } from './http';
import type { JoinTokenStore } from './joinTokens';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/** Admin API of the join tokens: create (the secret is in this response only), list, revoke. */
export function tokenRoutes(deps: {
  authenticate: (req: IncomingMessage) => Promise<Caller>;
  joinTokens: JoinTokenStore;
  logger: Logger;
  onRevoked: (id: string) => void;
}): Record<string, Handler> {
  return {
    'POST /api/v1/tokens': async (req, res) => {
      requireAdmin(await deps.authenticate(req));
      const body = parseWith(joinTokenCreateRequestSchema, await readJson(req), 'token request');
      const created = await deps.joinTokens.create(
        { namespace: body.namespace, serviceAccount: body.serviceAccount },
        body.ttlSeconds * 1000,
      );
      deps.logger.info(
        {
          id: created.info.id,
          serviceAccount: `${created.info.namespace}/${created.info.serviceAccount}`,
          expiresAt: created.info.expiresAt,
        },
        'join token created',
      );
      sendJson(res, 201, created);
    },
    'GET /api/v1/tokens': async (req, res) => {
      requireAdmin(await deps.authenticate(req));
      sendJson(res, 200, { tokens: deps.joinTokens.list() });
    },
    'DELETE /api/v1/tokens/:id': async (req, res, url) => {
      requireAdmin(await deps.authenticate(req));
      const id = url.pathname.slice('/api/v1/tokens/'.length);
      if (!/^[0-9a-f]{12}$/.test(id))
        throw new InvalidInputError(`"${id.slice(0, 40)}" is not a token id (12 hex digits)`);
      const info = await deps.joinTokens.revoke(id);
      deps.onRevoked(id);
      deps.logger.info(
        { id, serviceAccount: `${info.namespace}/${info.serviceAccount}` },
        'join token revoked',
      );
      sendJson(res, 200, info);
    },
  };
}
