import { UpstreamError } from '../errors';

export type BackendFailureKind =
  | 'unauthorized'
  | 'not_found'
  | 'http'
  | 'timeout'
  | 'unreachable'
  | 'tls'
  | 'invalid_response'
  | 'config';

export interface BackendFailure {
  kind: BackendFailureKind;
  detail: string;
  status?: number;
}

/**
 * An external backend failed. The message names the backend, where it is and how it failed
 * (`jaeger at https://jaeger:16686: 401 Unauthorized`) because that is what an operator needs to
 * fix it; it never holds credentials.
 */
export class BackendError extends UpstreamError {
  readonly backend: string;
  readonly url: string;
  readonly kind: BackendFailureKind;
  readonly httpStatus: number | undefined;
  constructor(backend: string, url: string, failure: BackendFailure) {
    super(`${backend} at ${url}: ${failure.detail}`);
    this.name = 'BackendError';
    this.backend = backend;
    this.url = url;
    this.kind = failure.kind;
    this.httpStatus = failure.status;
  }
}
