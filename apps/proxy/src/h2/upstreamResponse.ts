import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

/**
 * Where a directly relayed body goes: `data` returns false when the receiver is full (the
 * sender pauses until `resume` is called), `end` brings the trailers.
 */
export interface BodySink {
  data(chunk: Buffer): boolean;
  end(trailers: IncomingHttpHeaders | undefined): void;
  error(err: Error): void;
}

/**
 * A response body handed to the relay without a Readable in between (the undici pool): one
 * stream object and the pipe's listeners less per request.
 */
export interface DirectBody {
  /** Starts the flow into `sink` (what arrived before is delivered first). */
  attach(sink: BodySink): void;
  /** Lets a paused sender go on (the sink drained). */
  resume(): void;
  /** Drops the body but lets the exchange complete (the connection stays reusable). */
  drain(): void;
  /** Ends the exchange upstream (client gone). */
  abort(): void;
}

interface Common {
  statusCode: number;
  statusMessage: string | undefined;
  /** End-to-end view: no pseudo-headers. */
  headers: IncomingHttpHeaders;
}

/**
 * An upstream response as the relay needs it, whichever protocol carried it: HTTP/1.1
 * (an IncomingMessage, or undici's direct body) or an HTTP/2 stream. Trailers matter for gRPC
 * (grpc-status).
 */
export type UpstreamResponse =
  | (Common & {
      body: Readable;
      direct?: undefined;
      /** The trailers; complete once `body` has ended. */
      trailers(): IncomingHttpHeaders | undefined;
    })
  | (Common & { body?: undefined; direct: DirectBody });

export function fromIncoming(res: IncomingMessage): UpstreamResponse {
  return {
    statusCode: res.statusCode ?? 502,
    statusMessage: res.statusMessage,
    headers: res.headers,
    body: res,
    trailers: () => res.trailers,
  };
}

/** Drops a response that will not be relayed (client gone). */
export function discardResponse(res: UpstreamResponse): void {
  if (res.direct !== undefined) res.direct.abort();
  else res.body.destroy();
}

/** Reads a response that will not be relayed to its end (a retried status), keeping the connection. */
export function drainResponse(res: UpstreamResponse): void {
  if (res.direct !== undefined) res.direct.drain();
  else res.body.resume();
}
