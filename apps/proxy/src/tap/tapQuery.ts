import { parseQuery, proxyTapQuerySchema } from '@meshlens/contract';

/**
 * The tap filter of a `GET /tap` query. Loaded by the first tap (see tapRoute): the contract's
 * schemas are about a megabyte of memory a proxy nobody taps never needs.
 */
export function parseTapQuery(params: URLSearchParams) {
  return parseQuery(proxyTapQuerySchema, params);
}
