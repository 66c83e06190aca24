import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

/**
 * An upstream response as the relay needs it, whichever protocol carried it: HTTP/1.1
 * (an IncomingMessage) or an HTTP/2 stream. Trailers matter for gRPC (grpc-status).
 */
export interface UpstreamResponse {
  statusCode: number;
  statusMessage: string | undefined;
  /** End-to-end view: no pseudo-headers. */
  headers: IncomingHttpHeaders;
  body: Readable;
  /** The trailers; complete once `body` has ended. */
  trailers(): IncomingHttpHeaders | undefined;
}

export function fromIncoming(res: IncomingMessage): UpstreamResponse {
  return {
    statusCode: res.statusCode ?? 502,
    statusMessage: res.statusMessage,
    headers: res.headers,
    body: res,
    trailers: () => res.trailers,
  };
}
