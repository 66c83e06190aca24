import type { RequestHandler } from 'express';
import { HttpError } from '../httpErrors';

export interface RateLimitOptions {
  /** sustained requests per second */
  ratePerSecond: number;
  /** requests allowed in a burst */
  burst: number;
  now?: () => number;
}

/** One token bucket for all senders: ingest is cheap to send and expensive to store. */
export function rateLimit(opts: RateLimitOptions): RequestHandler {
  const now = opts.now ?? Date.now;
  let tokens = opts.burst;
  let last = now();
  const retryAfter = String(Math.max(1, Math.ceil(1 / opts.ratePerSecond)));
  return (_req, _res, next) => {
    const t = now();
    tokens = Math.min(opts.burst, tokens + ((t - last) / 1000) * opts.ratePerSecond);
    last = t;
    if (tokens >= 1) {
      tokens -= 1;
      return next();
    }
    next(
      new HttpError(429, 'rate_limited', 'too many trace ingest requests, retry later', {
        headers: { 'retry-after': retryAfter },
      }),
    );
  };
}
