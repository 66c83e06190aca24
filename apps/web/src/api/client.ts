// The SPA's side of the shared typed BFF client (@meshlens/api-client, also used by the CLI):
// same origin, under the base path the BFF injects. Components never call this directly: the
// features' use*Query hooks do.
import { createApiClient as createSharedClient, type ApiClient } from '@meshlens/api-client';

export { ApiError, buildQueryString, type ApiClient, type QueryParams } from '@meshlens/api-client';

export interface ApiClientOptions {
  basePath: string;
  fetch?: typeof fetch;
}

export function createApiClient(opts: ApiClientOptions): ApiClient {
  return createSharedClient({
    baseUrl: opts.basePath === '/' ? '' : opts.basePath,
    ...(opts.fetch === undefined ? {} : { fetch: opts.fetch }),
  });
}
