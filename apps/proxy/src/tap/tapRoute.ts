import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProxyTapQuery, TapEvent } from '@meshlens/contract';
import { checkTapAccess, type TapAccess } from './tapAccess';
import type { TapHub, TapSubscriber } from './tapHub';
import { TokenBucket } from './tokenBucket';

export interface TapRouteOptions {
  hub: TapHub;
  access: TapAccess;
  /** bytes a stream may have waiting in its socket before events are dropped (default 256 KiB) */
  maxBufferedBytes?: number;
  /** how often drop notices and keep-alive lines go out (default 1 s) */
  noticeMs?: number;
  logger: { info(o: object, m: string): void };
}

function plain(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * `GET /tap?direction=&method=&authority=&path=&fromNamespace=&...&maxRps=&headers=`: NDJSON,
 * one event per line, until the client goes away. Never queues without bound: an event that
 * finds the socket's buffer full is dropped and counted, as are requests over maxRps.
 */
export function serveTap(req: IncomingMessage, res: ServerResponse, opts: TapRouteOptions): void {
  const verdict = checkTapAccess(req, opts.access);
  if (!verdict.ok) {
    plain(res, 403, `tap refused: ${verdict.reason}\n`);
    return;
  }
  const url = new URL(req.url ?? '/', 'http://admin');
  import('./tapQuery').then(
    ({ parseTapQuery }) => {
      // the client may have gone while the schemas loaded (the first tap only)
      if (res.destroyed) return;
      const parsed = parseTapQuery(url.searchParams);
      if (!parsed.ok) plain(res, 400, `${parsed.error.message}\n`);
      else startTap(req, res, opts, verdict.who, parsed.value);
    },
    (err: unknown) => plain(res, 500, `tap unavailable: ${(err as Error).message}\n`),
  );
}

function startTap(
  req: IncomingMessage,
  res: ServerResponse,
  opts: TapRouteOptions,
  who: string,
  filter: ProxyTapQuery,
): void {
  const maxBuffered = opts.maxBufferedBytes ?? 256 * 1024;
  res.writeHead(200, {
    'content-type': 'application/x-ndjson',
    'cache-control': 'no-store',
  });
  res.flushHeaders();
  let slowDropped = 0;
  const write = (event: TapEvent): boolean => {
    if (res.writableLength > maxBuffered || res.destroyed) return false;
    res.write(`${JSON.stringify(event)}\n`);
    return true;
  };
  const sub: TapSubscriber = {
    filter,
    rateDropped: 0,
    bucket: filter.maxRps === undefined ? undefined : new TokenBucket(filter.maxRps, Date.now()),
    send(event) {
      if (write(event)) return true;
      slowDropped++;
      return false;
    },
  };
  const unsubscribe = opts.hub.subscribe(sub);
  opts.logger.info({ who, filter }, 'tap started');
  const timer = setInterval(() => {
    const ts = Date.now();
    if (
      sub.rateDropped > 0 &&
      write({ type: 'dropped', ts, count: sub.rateDropped, reason: 'rate' })
    )
      sub.rateDropped = 0;
    if (
      slowDropped > 0 &&
      write({ type: 'dropped', ts, count: slowDropped, reason: 'slow-consumer' })
    )
      slowDropped = 0;
    // an empty line keeps idle streams open through middleboxes; readers skip it
    if (res.writableLength === 0) res.write('\n');
  }, opts.noticeMs ?? 1000);
  const stop = () => {
    clearInterval(timer);
    unsubscribe();
  };
  res.once('close', stop);
  req.once('close', stop);
}
