import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  certificateRequestSchema,
  deregisterRequestSchema,
  endpointRegistrationSchema,
  type ConfigObjectStatus,
  type ControlPlaneStatus,
} from '@meshlens/cp-client';
import type { Logger } from 'pino';
import type { CertificateAuthority } from './ca';
import type { ConfigStore } from './configStore';
import { HttpError, InvalidInputError, NotFoundError, UnauthorizedError } from './errors';
import { parseWith, readJson, sendJson } from './http';
import { createMetrics } from './metrics';
import { serviceKey, type EndpointRegistry } from './registry';
import { createSseHub } from './sseHub';

export interface AppDeps {
  registry: EndpointRegistry;
  config: ConfigStore;
  ca: CertificateAuthority;
  logger: Logger;
  trustDomain: string;
  /** Undefined: certificate issuance is disabled. */
  bootstrapToken: string | undefined;
  leaseTtlSeconds: number;
  certTtlMs: number;
  version: string;
  heartbeatMs?: number;
  /** Kubernetes mode: every configuration object with its verdict. */
  configObjects?: () => ConfigObjectStatus[];
  /** Kubernetes mode: whether this replica leads. */
  isLeader?: () => boolean;
}

export interface ControlPlaneApp {
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** Ends every watch stream (so a server can close) and detaches listeners. */
  close(): void;
}

const SERVICE_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function createApp(deps: AppDeps): ControlPlaneApp {
  const hub = createSseHub(deps.heartbeatMs === undefined ? {} : { heartbeatMs: deps.heartbeatMs });
  const issued = new Map<string, number>();
  let certsIssued = 0;
  const earliestExpiry = (): Date | null => {
    const now = Date.now();
    let min = Infinity;
    for (const [serial, t] of issued) {
      if (t <= now) issued.delete(serial);
      else min = Math.min(min, t);
    }
    return min === Infinity ? null : new Date(min);
  };
  const metrics = createMetrics({
    endpoints: () => deps.registry.size(),
    watches: () => ({ endpoints: hub.count('ep:'), config: hub.count('config') }),
    configVersion: () => deps.config.current().version,
    earliestCertExpiry: earliestExpiry,
    caExpiry: deps.ca.notAfter,
  });
  const tokenDigest = deps.bootstrapToken === undefined ? undefined : sha256(deps.bootstrapToken);

  const offRegistry = deps.registry.onChange((svc) => {
    const snap = deps.registry.forService(svc);
    const n = hub.broadcast(`ep:${svc}`, 'endpoints', { service: svc, ...snap });
    metrics.pushes.inc({ kind: 'endpoints' }, n);
  });
  const offConfig = deps.config.onChange((s) => {
    const n = hub.broadcast('config', 'config', { version: s.version, config: s.config });
    metrics.pushes.inc({ kind: 'config' }, n);
  });
  const offReload = deps.config.onReload((result) => {
    metrics.reloads.inc({ result });
    if (result === 'rejected') metrics.rejections.inc();
  });

  const status = (): ControlPlaneStatus => {
    const cfg = deps.config.current();
    const err = deps.config.lastError();
    const expiry = earliestExpiry();
    return {
      version: deps.version,
      trustDomain: deps.trustDomain,
      configVersion: cfg.version,
      configLoadedAt: cfg.loadedAt.toISOString(),
      ...(err ? { lastConfigError: { at: err.at.toISOString(), errors: err.errors } } : {}),
      ...(deps.configObjects ? { configObjects: deps.configObjects() } : {}),
      ...(deps.isLeader ? { leader: deps.isLeader() } : {}),
      endpoints: deps.registry.size(),
      services: deps.registry.serviceCount(),
      watchers: hub.count(),
      certsIssued,
      earliestCertExpiry: expiry ? expiry.toISOString() : null,
      caExpiry: deps.ca.notAfter.toISOString(),
    };
  };

  const checkToken = (req: IncomingMessage) => {
    if (!tokenDigest)
      throw new UnauthorizedError(
        'certificate issuance is disabled: no bootstrap token configured',
      );
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m || !timingSafeEqual(sha256(m[1] ?? ''), tokenDigest)) throw new UnauthorizedError();
  };

  type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;
  const routes: Record<string, Handler> = {
    'GET /live': (_q, res) => sendJson(res, 200, { status: 'ok' }),
    'GET /ready': (_q, res) =>
      sendJson(res, 200, { status: 'ready', configVersion: deps.config.current().version }),
    'GET /metrics': async (_q, res) => {
      const text = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(text);
    },
    'POST /api/v1/endpoints': async (req, res) => {
      const reg = parseWith(
        endpointRegistrationSchema,
        await readJson(req),
        'endpoint registration',
      );
      if (deps.registry.upsert(reg)) {
        deps.logger.info(
          {
            service: serviceKey(reg.namespace, reg.service),
            pod: reg.pod,
            address: `${reg.address}:${reg.port}`,
          },
          'endpoint registered',
        );
      }
      sendJson(res, 200, { leaseTtlSeconds: deps.leaseTtlSeconds });
    },
    'DELETE /api/v1/endpoints': async (req, res) => {
      const d = parseWith(deregisterRequestSchema, await readJson(req), 'deregistration');
      if (!deps.registry.remove(d)) throw new NotFoundError('no such endpoint');
      deps.logger.info(
        { service: serviceKey(d.namespace, d.service), address: `${d.address}:${d.port}` },
        'endpoint deregistered',
      );
      sendJson(res, 200, { removed: true });
    },
    'GET /api/v1/endpoints': (_q, res) => sendJson(res, 200, { endpoints: deps.registry.list() }),
    'GET /api/v1/watch/endpoints': (_q, res, url) => {
      const svc = url.searchParams.get('service') ?? '';
      if (!SERVICE_RE.test(svc))
        throw new InvalidInputError('query parameter "service" must be "name.namespace"');
      const send = hub.open(res, `ep:${svc}`);
      send('endpoints', { service: svc, ...deps.registry.forService(svc) });
    },
    'GET /api/v1/watch/config': (_q, res) => {
      const send = hub.open(res, 'config');
      const s = deps.config.current();
      send('config', { version: s.version, config: s.config });
    },
    'GET /api/v1/config': (_q, res) => {
      const s = deps.config.current();
      sendJson(res, 200, { version: s.version, config: s.config });
    },
    'POST /api/v1/certificates': async (req, res) => {
      try {
        checkToken(req);
      } catch (err) {
        metrics.certsRefused.inc({ reason: 'token' });
        throw err;
      }
      const { csr } = parseWith(
        certificateRequestSchema,
        await readJson(req),
        'certificate request',
      );
      let signed;
      try {
        signed = await deps.ca.sign(csr, deps.certTtlMs);
      } catch (err) {
        metrics.certsRefused.inc({ reason: 'csr' });
        throw err;
      }
      certsIssued += 1;
      issued.set(signed.serial, signed.notAfter.getTime());
      metrics.certsIssued.inc();
      deps.logger.info(
        {
          spiffeId: signed.spiffeId,
          notAfter: signed.notAfter.toISOString(),
          serial: signed.serial,
        },
        'certificate issued',
      );
      sendJson(res, 200, {
        certificatePem: signed.certificatePem,
        caPem: deps.ca.caPem,
        notAfter: signed.notAfter.toISOString(),
      });
    },
    'GET /api/v1/status': (_q, res) => sendJson(res, 200, status()),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const routeKey = `${req.method ?? 'GET'} ${url.pathname}`;
    const route = routes[routeKey];
    const label = route ? url.pathname : 'other';
    try {
      if (!route) throw new NotFoundError(`no route ${req.method ?? ''} ${url.pathname}`);
      await route(req, res, url);
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      if (status >= 500) deps.logger.error({ err: String(err), route: routeKey }, 'request failed');
      else
        deps.logger.warn(
          { status, msg2: (err as Error).message, route: routeKey },
          'request refused',
        );
      if (!res.headersSent) {
        const message = status >= 500 ? 'internal error' : (err as Error).message;
        const details = err instanceof HttpError && err.details ? { details: err.details } : {};
        sendJson(res, status, { error: message, ...details });
      } else res.end();
    }
    metrics.requests.inc({
      method: req.method ?? 'GET',
      route: label,
      code: String(res.statusCode),
    });
    if (!url.pathname.startsWith('/api/v1/watch/')) {
      metrics.duration.observe(
        { method: req.method ?? 'GET', route: label },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    }
  };

  return {
    handle: (req, res) => void handle(req, res),
    close() {
      offRegistry();
      offConfig();
      offReload();
      hub.closeAll();
    },
  };
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
