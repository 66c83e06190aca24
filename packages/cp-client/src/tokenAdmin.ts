import type { z } from 'zod';
import { ControlPlaneError } from './client';
import {
  errorResponseSchema,
  joinTokenCreatedSchema,
  joinTokenInfoSchema,
  joinTokenListSchema,
  type JoinTokenCreateRequest,
  type JoinTokenCreated,
  type JoinTokenInfo,
} from './schemas';

/** The control plane's join-token API, for holders of the admin token (CLI, `npm start`). */
export interface TokenAdminClient {
  create(req: JoinTokenCreateRequest): Promise<JoinTokenCreated>;
  list(): Promise<JoinTokenInfo[]>;
  revoke(id: string): Promise<JoinTokenInfo>;
}

export function createTokenAdminClient(opts: {
  url: string;
  adminToken: string;
  requestTimeoutMs?: number;
}): TokenAdminClient {
  const base = opts.url.replace(/\/+$/, '');
  const call = async <S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.infer<S>> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${opts.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(opts.requestTimeoutMs ?? 5000),
    });
    const json: unknown = await res.json().catch(() => undefined);
    if (!res.ok) {
      const err = errorResponseSchema.safeParse(json);
      throw new ControlPlaneError(
        err.success ? err.data.error : `HTTP ${res.status}`,
        res.status,
        err.success ? err.data.details : undefined,
      );
    }
    return schema.parse(json);
  };
  return {
    create: (req) => call('POST', '/api/v1/tokens', joinTokenCreatedSchema, req),
    list: async () => (await call('GET', '/api/v1/tokens', joinTokenListSchema)).tokens,
    revoke: (id) => call('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`, joinTokenInfoSchema),
  };
}
