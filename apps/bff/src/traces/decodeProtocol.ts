import type { Span } from '@meshlens/contract';
import type { OtlpPayload } from './decode';

/**
 * Main thread -> decode worker: a request to decode, or `more` after a chunk of spans was taken
 * in (the worker sends the next chunk only then, so the main thread takes one chunk per turn of
 * its event loop: a MessagePort otherwise delivers every queued message in one go).
 */
export type DecodeRequest =
  { id: number; type: 'decode'; payload: OtlpPayload } | { id: number; type: 'more' };

/**
 * Decode worker -> main thread. Spans come in chunks, one per `more`, so the main thread
 * deserializes a few hundred at a time between other work instead of 20,000 in one block; the
 * last message says how many were rejected, or that the body was no request at all.
 */
export type DecodeResponse =
  | { id: number; type: 'spans'; spans: Span[] }
  | { id: number; type: 'done'; rejected: number; firstError?: string }
  | { id: number; type: 'error'; error: string };

/** spans per message: about a millisecond of deserialization each */
export const SPANS_PER_MESSAGE = 500;
