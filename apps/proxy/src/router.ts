import type { IncomingHttpHeaders } from 'node:http';

export interface RouteDecision {
  /** Destination service key `name.namespace` after routing (backend of a split). */
  service: string;
  /** Endpoint subset of the chosen backend (version / workload split). */
  subset?: { version?: string | undefined; workload?: string | undefined } | undefined;
  routeName?: string | undefined;
  /** The matched HTTPRoute and rule index, for metric labels (bounded by the config). */
  route?: { name: string; rule: string } | undefined;
  retryBackoffMs?: number | undefined;
  /** The route answers itself (e.g. 500 when every backend weight is 0). */
  reject?: { status: number; reason: string } | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
  retryOnStatuses?: number[] | undefined;
  requestHeaders?:
    { set?: Record<string, string>; add?: Record<string, string>; remove?: string[] } | undefined;
  fault?: { delayMs?: number | undefined; abortStatus?: number | undefined } | undefined;
}

export interface RouteRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/** Chooses the backend and per-route policy of an outbound request. */
export interface Router {
  route(service: string, request: RouteRequest): RouteDecision;
}

/** Without mesh configuration every request goes to the service it names. */
export const directRouter: Router = {
  route: (service) => ({ service }),
};
