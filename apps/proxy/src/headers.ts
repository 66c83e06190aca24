import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/**
 * Copies end-to-end headers: drops hop-by-hop ones, those the Connection header names and
 * HTTP/2 pseudo-headers (`:path` ...; each hop writes its own).
 */
export function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const conn = headers.connection;
  const named = conn === undefined ? undefined : connectionNamed(conn);
  for (const key in headers) {
    if (key.charCodeAt(0) === 58 || HOP_BY_HOP.has(key) || (named !== undefined && named.has(key)))
      continue;
    const v = headers[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

const CLOSE: ReadonlySet<string> = new Set(['close']);

/**
 * The header names a Connection value lists. Its two usual values are answered without a split:
 * every keep-alive response of a Node upstream carries `Connection: keep-alive`, whose one name
 * is hop-by-hop already.
 */
function connectionNamed(conn: string): ReadonlySet<string> | undefined {
  const v = conn.toLowerCase();
  if (v === 'keep-alive') return undefined;
  if (v === 'close') return CLOSE;
  return new Set(v.split(/\s*,\s*/));
}

/** Appends this hop to x-forwarded-for and fills x-forwarded-proto/-host if absent. */
export function addForwarded(
  out: OutgoingHttpHeaders,
  remoteAddress: string | undefined,
  proto: 'http' | 'https',
  host: string | undefined,
): void {
  const prior = out['x-forwarded-for'];
  const client = remoteAddress ?? 'unknown';
  out['x-forwarded-for'] =
    prior === undefined || prior === ''
      ? client
      : `${Array.isArray(prior) ? prior.join(', ') : String(prior)}, ${client}`;
  if (out['x-forwarded-proto'] === undefined) out['x-forwarded-proto'] = proto;
  if (out['x-forwarded-host'] === undefined && host !== undefined) out['x-forwarded-host'] = host;
}

export const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** Body kind of a request: none, a known small length, or a stream of unknown/large size. */
export function bodyLength(headers: IncomingHttpHeaders): number | 'stream' {
  const te = headers['transfer-encoding'];
  if (te !== undefined) return 'stream';
  const cl = headers['content-length'];
  if (cl === undefined) return 0;
  const n = Number(cl);
  return Number.isSafeInteger(n) && n >= 0 ? n : 'stream';
}
