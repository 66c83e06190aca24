import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { HttpError } from './httpErrors';

/** Loopback forms, any port: what a browser on the same machine sends. */
export const DEFAULT_ALLOWED_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** Paths probes hit with the pod IP as Host; they reveal nothing. */
const PROBE_PATHS = new Set(['/live', '/ready']);

/** `host[:port]` -> lowercase hostname (IPv6 keeps its brackets). */
export function hostnameOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

/**
 * Allow-list entries: `name` (any port), `name:port`, `*.domain` (any subdomain, any port) or `*`
 * (disables the check - only for deployments behind a trusted proxy).
 */
export function hostAllowed(hostHeader: string, allowed: readonly string[]): boolean {
  const host = hostHeader.trim().toLowerCase();
  const name = hostnameOf(host);
  return allowed.some((raw) => {
    const entry = raw.toLowerCase();
    if (entry === '*') return true;
    if (entry.startsWith('*.')) return name.endsWith(entry.slice(1));
    return entry === name || entry === host;
  });
}

/** DNS-rebinding defence: a page on evil.example resolving to 127.0.0.1 still sends Host: evil.example. */
export function hostCheck(allowed: readonly string[], basePath = ''): RequestHandler {
  return (req, _res, next) => {
    const local =
      basePath && req.path.startsWith(basePath) ? req.path.slice(basePath.length) : req.path;
    if (PROBE_PATHS.has(local)) return next();
    const host = req.headers.host;
    if (!host || !hostAllowed(host, allowed)) {
      return next(
        new HttpError(
          400,
          'host_not_allowed',
          `Host header ${JSON.stringify(host ?? '')} is not in the allow-list; ` +
            'add it to server.allowedHosts in the BFF config (protection against DNS rebinding)',
        ),
      );
    }
    next();
  };
}

/** Streams are long-lived reads a foreign page could open: the Origin, if any, must be us. */
export function originCheck(allowed: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      host = '';
    }
    if (
      host === '' ||
      host !== (req.headers.host ?? '').toLowerCase() ||
      !hostAllowed(host, allowed)
    ) {
      return next(
        new HttpError(403, 'origin_not_allowed', `Origin ${JSON.stringify(origin)} is not allowed`),
      );
    }
    next();
  };
}

export const INGEST_PATHS: ReadonlySet<string> = new Set(['/v1/traces', '/api/v2/spans']);

/** Read-only server: GET/HEAD everywhere, POST only for trace ingest. */
export function methodCheck(): RequestHandler {
  return (req, _res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    if (req.method === 'POST' && INGEST_PATHS.has(req.path)) return next();
    const allow = INGEST_PATHS.has(req.path) ? 'POST' : 'GET, HEAD';
    next(
      new HttpError(405, 'method_not_allowed', `method ${req.method} is not allowed here`, {
        headers: { allow },
      }),
    );
  };
}

export const TOKEN_COOKIE = 'meshlens_token';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Compares SHA-256 digests in constant time: equal lengths always, so neither the length nor
 * the first differing byte of the secret leaks through the response time.
 */
export function tokenMatcher(secret: string): (presented: string) => boolean {
  const expected = digest(secret);
  return (presented) => timingSafeEqual(digest(presented), expected);
}

function bearerOf(req: Request): string | undefined {
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined;
}

/**
 * HTTPS as the browser sees it: our own TLS socket, or - only when told to trust the proxy in
 * front (`server.trustProxy`) - its `X-Forwarded-Proto: https`. Untrusted, the header is
 * ignored: anyone could send it.
 */
export function servedOverHttps(req: Request, trustProxy: boolean): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted === true) return true;
  if (!trustProxy) return false;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export interface TokenCheckOptions {
  /** '' or '/prefix': the cookie is sent back for this path only. */
  basePath?: string;
  /** Believe `X-Forwarded-Proto` from the proxy in front (for the cookie's Secure flag). */
  trustProxy?: boolean;
  /** Requests this check lets through untouched (ingest, when it has its own token). */
  skip?: (req: Request) => boolean;
}

/**
 * Optional bearer token on everything but the probes (mounted before this check). Browsers cannot add headers to page loads, so
 * `?access_token=T` on a page load sets an HttpOnly cookie and redirects to the same URL without it.
 */
export function tokenCheck(token: string, opts: TokenCheckOptions = {}): RequestHandler {
  const matches = tokenMatcher(token);
  const cookiePath = opts.basePath === undefined || opts.basePath === '' ? '/' : opts.basePath;
  return (req, res, next) => {
    if (opts.skip?.(req) === true) return next();
    const bearer = bearerOf(req);
    if (bearer !== undefined && matches(bearer)) return next();
    const cookie = cookieValue(req.headers.cookie, TOKEN_COOKIE);
    if (cookie !== undefined && matches(cookie)) return next();
    const url = new URL(req.originalUrl, 'http://x');
    const fromQuery = url.searchParams.get('access_token');
    if (req.method === 'GET' && fromQuery !== null && matches(fromQuery)) {
      url.searchParams.delete('access_token');
      res.cookie(TOKEN_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: servedOverHttps(req, opts.trustProxy === true),
        path: cookiePath,
      });
      res.redirect(303, url.pathname + url.search);
      return;
    }
    next(
      new HttpError(401, 'unauthorized', 'a valid bearer token is required', {
        headers: { 'www-authenticate': 'Bearer realm="meshlens"' },
      }),
    );
  };
}

/**
 * Trace ingest apart from the read API: turned off (404), or guarded by its own token so a
 * proxy can send spans without being able to read the dashboard, and a viewer cannot inject
 * spans. Without either, ingest follows the read API's token (if any).
 */
export function ingestCheck(opts: { enabled: boolean; token: string | undefined }): RequestHandler {
  const matches = opts.token === undefined ? undefined : tokenMatcher(opts.token);
  return (req, _res, next) => {
    if (!INGEST_PATHS.has(req.path)) return next();
    if (!opts.enabled) {
      return next(
        new HttpError(
          404,
          'not_found',
          'trace ingest is turned off on this dashboard (--no-ingest)',
        ),
      );
    }
    if (matches === undefined) return next();
    const bearer = bearerOf(req);
    if (bearer !== undefined && matches(bearer)) return next();
    next(
      new HttpError(
        401,
        'unauthorized',
        'trace ingest needs its bearer token (--ingest-token-file)',
        {
          headers: { 'www-authenticate': 'Bearer realm="meshlens-ingest"' },
        },
      ),
    );
  };
}
