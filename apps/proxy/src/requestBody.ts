import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { bodyLength } from './headers';

/** Bodies up to this size of idempotent requests are buffered so they can be replayed. */
export const MAX_REPLAY_BYTES = 64 * 1024;

/**
 * Decides how the request body travels: none, buffered (replayable, small, idempotent)
 * or streamed through with backpressure.
 */
export async function readBody(
  req: IncomingMessage,
  idempotent: boolean,
): Promise<Buffer | Readable | undefined> {
  const len = bodyLength(req.headers);
  if (len === 0) {
    req.resume();
    return undefined;
  }
  if (
    !idempotent ||
    len === 'stream' ||
    len > MAX_REPLAY_BYTES ||
    req.headers.expect !== undefined
  ) {
    return req;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** True (and the empty stream drained) when the request has no body: no await needed. */
export function noBody(req: IncomingMessage): boolean {
  if (bodyLength(req.headers) !== 0) return false;
  req.resume();
  return true;
}
