import type { RequestHandler } from 'express';
import { HttpError } from '../httpErrors';

export interface RateLimitOptions {
  /** sustained requests per second */
  ratePerSecond: number;
  /** requests allowed in a burst */
  burst: number;
  now?: () => number;
}

export interface TokenBucket {
  /** takes one token; false when the sender must back off */
  take(): boolean;
  /** whole seconds a refused sender should wait (Retry-After, gRPC RetryInfo) */
  readonly retryAfterSeconds: number;
}

/**
 * One token bucket for all senders and every ingest protocol (HTTP and gRPC share it):
 * ingest is cheap to send and expensive to store.
 */
export function tokenBucket(opts: RateLimitOptions): TokenBucket {
  const now = opts.now ?? Date.now;
  let tokens = opts.burst;
  let last = now();
  return {
    retryAfterSeconds: Math.max(1, Math.ceil(1 / opts.ratePerSecond)),
    take() {
      const t = now();
      tokens = Math.min(opts.burst, tokens + ((t - last) / 1000) * opts.ratePerSecond);
      last = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

export function rateLimit(bucket: TokenBucket): RequestHandler {
  const retryAfter = String(bucket.retryAfterSeconds);
  return (_req, _res, next) => {
    if (bucket.take()) return next();
    next(
      new HttpError(429, 'rate_limited', 'too many trace ingest requests, retry later', {
        headers: { 'retry-after': retryAfter },
      }),
    );
  };
}
