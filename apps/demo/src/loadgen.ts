import type { Logger } from 'pino';
import type { Caller } from './http';
import { products } from './services/catalog';

export interface LoadOptions {
  /** requests per second (bounded: at most `maxInFlight` outstanding) */
  rps: number;
  maxInFlight: number;
  random?: () => number;
}

export interface ShopRequest {
  service: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

function pick<T>(items: readonly T[], r: number): T {
  return items[Math.min(items.length - 1, Math.floor(r * items.length))] as T;
}

/**
 * A shopper's next click: 25% home, 54% product pages, 1% product pages from a client of the
 * v2 API (`x-api-version: 2`, always routed to reviews v2), 20% checkouts. The header share is
 * small so the reviews canary split stays close to its configured 90/10.
 */
export function nextShopperRequest(random: () => number): ShopRequest {
  const r = random();
  const id = pick(products, random()).id;
  if (r < 0.25) return { service: 'web', method: 'GET', path: '/', headers: {} };
  if (r < 0.79) return { service: 'web', method: 'GET', path: `/products/${id}`, headers: {} };
  if (r < 0.8) {
    return {
      service: 'web',
      method: 'GET',
      path: `/products/${id}`,
      headers: { 'x-api-version': '2' },
    };
  }
  const quantity = 1 + Math.floor(random() * 3);
  return {
    service: 'web',
    method: 'POST',
    path: '/checkout',
    headers: {},
    body: { items: [{ productId: id, quantity }] },
  };
}

/** The scraper bot tries to charge cards directly; the mesh's authorization policy refuses it. */
export function nextScraperRequest(): ShopRequest {
  return {
    service: 'payments',
    method: 'POST',
    path: '/charges',
    headers: {},
    body: { amount: 1, currency: 'EUR' },
  };
}

export interface LoadStats {
  sent: number;
  byStatus: Record<string, number>;
  skipped: number;
}

/**
 * Sends `next()` at a steady rate until stopped. Requests beyond `maxInFlight` are skipped
 * (counted), so a slow mesh never makes the generator pile up work.
 */
export function startLoad(
  caller: Caller,
  next: () => ShopRequest,
  o: LoadOptions,
  log: Logger,
): { stop: () => void; stats: LoadStats } {
  const stats: LoadStats = { sent: 0, byStatus: {}, skipped: 0 };
  let inFlight = 0;
  const fire = (): void => {
    if (inFlight >= o.maxInFlight) {
      stats.skipped += 1;
      return;
    }
    const req = next();
    inFlight += 1;
    stats.sent += 1;
    const opts: {
      method: string;
      headers: Record<string, string>;
      body?: unknown;
      timeoutMs: number;
    } = {
      method: req.method,
      headers: req.headers,
      timeoutMs: 10_000,
    };
    if (req.body !== undefined) opts.body = req.body;
    caller
      .call(req.service, req.path, opts)
      .then((res) => {
        stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
      })
      .catch((err: unknown) => {
        stats.byStatus.error = (stats.byStatus.error ?? 0) + 1;
        log.debug({ err: err instanceof Error ? err.message : String(err) }, 'load request failed');
      })
      .finally(() => {
        inFlight -= 1;
      });
  };
  const timer = setInterval(fire, Math.max(1, Math.round(1000 / o.rps)));
  const report = setInterval(() => log.info({ stats }, 'load'), 30_000);
  report.unref();
  return {
    stats,
    stop: () => {
      clearInterval(timer);
      clearInterval(report);
    },
  };
}
