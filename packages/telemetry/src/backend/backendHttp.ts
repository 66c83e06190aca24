import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { BackendError, type BackendFailure } from './backendError';

export interface BackendTlsOptions {
  /** PEM bundle of CAs to trust instead of the system ones (private CA) */
  caFile?: string | undefined;
  /** client certificate and key (PEM) when the backend asks for mTLS */
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** name to verify the server certificate against when it differs from the URL's host */
  serverName?: string | undefined;
  /** skip certificate verification (testing only; logged as a warning by the BFF) */
  insecureSkipVerify?: boolean | undefined;
  /**
   * How often the CA, certificate and key files are checked for a change (default 5 s); a
   * changed set is loaded for new connections, so a rotated certificate needs no restart.
   */
  reloadCheckMs?: number | undefined;
}

/**
 * How to reach an external backend (Prometheus, Thanos, Mimir, Jaeger, Tempo): shared by the
 * metrics and trace sources so every backend gets the same auth, tenancy, TLS and timeouts.
 */
export interface BackendHttpOptions {
  /** extra request headers, e.g. a gateway's routing header */
  headers?: Readonly<Record<string, string>> | undefined;
  /** multi-tenant backends (Mimir, Cortex, Tempo, Loki-style gateways): sent as X-Scope-OrgID */
  tenant?: string | undefined;
  /** file holding a bearer token; read on every request, so a rotated token needs no restart */
  bearerTokenFile?: string | undefined;
  /** basic auth; the password file is read on every request like the token file */
  basicAuth?: { username: string; passwordFile: string } | undefined;
  tls?: BackendTlsOptions | undefined;
  /** per request (default 10 s) */
  timeoutMs?: number | undefined;
  /** largest response body accepted (default 64 MiB) */
  maxBodyBytes?: number | undefined;
}

export interface BackendResponse {
  status: number;
  statusText: string;
  body: string;
}

export interface BackendRequest {
  method?: 'GET' | 'POST';
  query?: URLSearchParams;
  /** sent as application/x-www-form-urlencoded (POST) */
  form?: URLSearchParams;
}

export interface BackendHttp {
  /** `prometheus`, `jaeger`, `tempo`: the first word of every error message */
  readonly name: string;
  readonly baseUrl: string;
  /** any HTTP status comes back; transport failures throw BackendError */
  request(path: string, req?: BackendRequest): Promise<BackendResponse>;
  /** 2xx JSON or a BackendError naming the status (401, 404, ...) */
  getJson(path: string, query?: URLSearchParams): Promise<unknown>;
  close(): void;
}

class StaleSocketError extends Error {}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(`cannot read the ${what} file ${file} (${code})`);
  }
}

function agentFor(url: URL, opts: BackendHttpOptions): http.Agent {
  if (url.protocol !== 'https:') {
    if (opts.tls?.caFile || opts.tls?.certFile)
      throw new Error(`TLS options are set but ${url.origin} is not an https URL`);
    return new http.Agent({ keepAlive: true, maxSockets: 16 });
  }
  const t = opts.tls ?? {};
  if ((t.certFile === undefined) !== (t.keyFile === undefined))
    throw new Error('a client certificate needs both certFile and keyFile');
  const material = {
    ...(t.caFile ? { ca: readPem(t.caFile, 'CA') } : {}),
    ...(t.certFile ? { cert: readPem(t.certFile, 'client certificate') } : {}),
    ...(t.keyFile ? { key: readPem(t.keyFile, 'client key') } : {}),
  };
  try {
    // refuse a key that does not match its certificate (or a file that is no PEM) now, with the
    // files named, rather than on the first connection
    tls.createSecureContext(material);
  } catch (err) {
    const files = [t.caFile, t.certFile, t.keyFile].filter(Boolean).join(', ');
    throw new Error(
      `cannot load TLS files ${files}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return new https.Agent({
    keepAlive: true,
    maxSockets: 16,
    ...material,
    ...(t.serverName ? { servername: t.serverName } : {}),
    rejectUnauthorized: t.insecureSkipVerify !== true,
  });
}

async function secret(file: string, what: string, fail: (f: BackendFailure) => never) {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return fail({ kind: 'config', detail: `cannot read the ${what} file ${file} (${code})` });
  }
}

const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME|ERR_OSSL/;

function transportFailure(err: unknown): BackendFailure {
  const code =
    typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (code && TLS_CODES.test(code))
    return { kind: 'tls', detail: `TLS error (${code}): ${message}` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return { kind: 'unreachable', detail: `unreachable (${code}: host not found)` };
  return { kind: 'unreachable', detail: `unreachable (${code ?? message})` };
}

/** HTTP client for one backend base URL (path prefixes such as /prometheus kept). */
export function createBackendHttp(
  name: string,
  baseUrl: string,
  opts: BackendHttpOptions = {},
): BackendHttp {
  const base = new URL(baseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new Error(`${name} URL must be http:// or https://, got ${baseUrl}`);
  const printable = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const agents = reloadingAgent(base, opts, timeoutMs);
  const maxBody = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  const fail = (f: BackendFailure): never => {
    throw new BackendError(name, printable, f);
  };

  async function headers(form: boolean): Promise<Record<string, string>> {
    const h: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (form) h['content-type'] = 'application/x-www-form-urlencoded';
    if (opts.tenant) h['x-scope-orgid'] = opts.tenant;
    if (opts.bearerTokenFile)
      h.authorization = `Bearer ${await secret(opts.bearerTokenFile, 'bearer token', fail)}`;
    else if (opts.basicAuth) {
      const pw = await secret(opts.basicAuth.passwordFile, 'password', fail);
      const user = opts.basicAuth.username;
      h.authorization = `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
    }
    return h;
  }

  async function request(path: string, req: BackendRequest = {}): Promise<BackendResponse> {
    try {
      return await attempt(path, req);
    } catch (err) {
      // a kept-alive socket the backend closed meanwhile: Node's documented advice is to retry
      // once (every request here is a read, so repeating it is safe)
      if (err instanceof StaleSocketError) return attempt(path, req);
      throw err;
    }
  }

  async function attempt(path: string, req: BackendRequest): Promise<BackendResponse> {
    const target = new URL(base.href);
    target.pathname = `${base.pathname.replace(/\/+$/, '')}${path}`;
    if (req.query) target.search = req.query.toString();
    const body = req.form?.toString();
    const h = await headers(body !== undefined);
    if (body !== undefined) h['content-length'] = String(Buffer.byteLength(body));
    const lib = target.protocol === 'https:' ? https : http;
    return new Promise<BackendResponse>((resolve, reject) => {
      let settled = false;
      const done = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        f();
      };
      const r = lib.request(
        target,
        {
          method: req.method ?? (body !== undefined ? 'POST' : 'GET'),
          headers: h,
          agent: agents.current(),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxBody) {
              res.destroy();
              done(() =>
                reject(
                  new BackendError(name, printable, {
                    kind: 'invalid_response',
                    detail: `response larger than ${maxBody} bytes`,
                  }),
                ),
              );
              return;
            }
            chunks.push(c);
          });
          res.on('end', () =>
            done(() =>
              resolve({
                status: res.statusCode ?? 0,
                statusText: res.statusMessage ?? '',
                body: Buffer.concat(chunks).toString('utf8'),
              }),
            ),
          );
          res.on('error', (err) =>
            done(() => reject(new BackendError(name, printable, transportFailure(err)))),
          );
        },
      );
      const timer = setTimeout(() => {
        done(() =>
          reject(
            new BackendError(name, printable, {
              kind: 'timeout',
              detail: `timeout after ${timeoutMs} ms`,
            }),
          ),
        );
        r.destroy();
      }, timeoutMs);
      r.on('error', (err) =>
        done(() =>
          reject(
            r.reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET'
              ? new StaleSocketError()
              : new BackendError(name, printable, transportFailure(err)),
          ),
        ),
      );
      r.end(body);
    });
  }

  return {
    name,
    baseUrl: printable,
    request,
    async getJson(path, query) {
      const res = await request(path, query ? { query } : {});
      if (res.status < 200 || res.status >= 300) return fail(statusFailure(res));
      try {
        return JSON.parse(res.body) as unknown;
      } catch {
        return fail({ kind: 'invalid_response', detail: `${path} answered with invalid JSON` });
      }
    },
    close: () => agents.close(),
  };
}

/** What identifies a file's content cheaply: a rotated Secret changes at least one of these. */
function fingerprint(files: string[]): string | undefined {
  try {
    return files
      .map((f) => {
        const st = statSync(f);
        return `${st.ino}:${st.size}:${st.mtimeMs}`;
      })
      .join('|');
  } catch {
    return undefined; // mid-rotation or removed: keep what works until the files are back
  }
}

/**
 * The agent for a backend, rebuilt when its TLS files change (cert-manager and Kubernetes
 * rotate mounted Secrets in place). The files are checked at most every `reloadCheckMs`; a
 * set that cannot be read or loaded keeps the previous agent, and the replaced agent is closed
 * once its requests can no longer be running (after the request timeout).
 */
function reloadingAgent(base: URL, opts: BackendHttpOptions, timeoutMs: number) {
  const t = opts.tls ?? {};
  const files = [t.caFile, t.certFile, t.keyFile].filter((f): f is string => f !== undefined);
  const every = t.reloadCheckMs ?? 5_000;
  let agent = agentFor(base, opts);
  let stamp = fingerprint(files);
  let checkedAt = Date.now();
  const retired = new Map<NodeJS.Timeout, http.Agent>();
  return {
    current(): http.Agent {
      if (files.length === 0 || Date.now() - checkedAt < every) return agent;
      checkedAt = Date.now();
      const next = fingerprint(files);
      if (next === undefined || next === stamp) return agent;
      let fresh: http.Agent;
      try {
        fresh = agentFor(base, opts);
      } catch {
        return agent; // e.g. the key written before the certificate: try again on the next check
      }
      const old = agent;
      agent = fresh;
      stamp = next;
      // its kept-alive sockets close as their requests end; whatever is left, after the timeout
      old.on('free', (socket: Socket) => socket.destroy());
      const timer = setTimeout(() => {
        retired.delete(timer);
        old.destroy();
      }, timeoutMs);
      timer.unref();
      retired.set(timer, old);
      return agent;
    },
    close(): void {
      agent.destroy();
      for (const [timer, old] of retired) {
        clearTimeout(timer);
        old.destroy();
      }
      retired.clear();
    },
  };
}

/** The reason in a JSON error body: Jaeger `{"errors":[{"msg"}]}`, Prometheus `{"error"}`, `{"message"}`. */
function jsonReason(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const o = parsed as Record<string, unknown>;
  const first: unknown = Array.isArray(o.errors) ? o.errors[0] : undefined;
  if (
    typeof first === 'object' &&
    first !== null &&
    'msg' in first &&
    typeof first.msg === 'string'
  )
    return first.msg;
  if (typeof o.error === 'string') return o.error;
  if (typeof o.message === 'string') return o.message;
  return undefined;
}

/** `401 Unauthorized`, `404 Not Found`, plus the first line of the body when it says why. */
export function statusFailure(res: BackendResponse): BackendFailure {
  const kind =
    res.status === 401 || res.status === 403
      ? 'unauthorized'
      : res.status === 404
        ? 'not_found'
        : 'http';
  const text = res.statusText || http.STATUS_CODES[res.status] || '';
  // the body's first line often says why (`no org id`, `invalid token`): keep it unless it only
  // repeats the status text or is an HTML error page
  const why = (jsonReason(res.body) ?? res.body.trim().split('\n')[0] ?? '').slice(0, 200);
  const useful = why !== '' && !why.startsWith('<') && why.toLowerCase() !== text.toLowerCase();
  return {
    kind,
    status: res.status,
    detail: `${res.status} ${text}`.trim() + (useful ? `: ${why}` : ''),
  };
}
