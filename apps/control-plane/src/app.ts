import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  certificateRequestSchema,
  deregisterRequestSchema,
  endpointRegistrationSchema,
  type ConfigObjectStatus,
  type ControlPlaneStatus,
} from '@meshlens/cp-client';
import type { Logger } from 'pino';
import { requireWorkload, type Authenticator, type Caller } from './auth';
import type { CertificateAuthority } from './ca';
import type { ConfigStore } from './configStore';
import { ForbiddenError, HttpError, InvalidInputError, NotFoundError } from './errors';
import type { JoinTokenStore } from './joinTokens';
import { parseWith, readJson, sendJson } from './http';
import { createMetrics } from './metrics';
import { serviceKey, type EndpointRegistry } from './registry';
import { createSseHub } from './sseHub';
import { tokenRoutes } from './tokenRoutes';

export interface AppDeps {
  registry: EndpointRegistry;
  config: ConfigStore;
  ca: CertificateAuthority;
  logger: Logger;
  trustDomain: string;
  /** Join tokens, the admin token and (in Kubernetes) TokenReview: who is calling. */
  authenticator: Authenticator;
  joinTokens: JoinTokenStore;
  leaseTtlSeconds: number;
  /**
   * A lease stream ends after this long: the proxy reconnects and registers again, and one that
   * is frozen with its socket still open (which heartbeats cannot tell) drops out.
   */
  leaseStreamMaxMs: number;
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

/** The hub's group of lease streams (held registrations), apart from the watches. */
const LEASE_GROUP = 'lease';
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
    watches: () => ({
      endpoints: hub.count('ep:'),
      config: hub.count('config'),
      leases: hub.count(LEASE_GROUP),
    }),
    configVersion: () => deps.config.current().version,
    earliestCertExpiry: earliestExpiry,
    caExpiry: deps.ca.notAfter,
  });
  // Watches opened with a join token end when that token is revoked.
  const watchesByToken = new Map<string, Set<ServerResponse>>();
  const trackWatch = (caller: Caller, res: ServerResponse) => {
    if (caller.kind !== 'workload' || caller.tokenId === undefined) return;
    const id = caller.tokenId;
    let set = watchesByToken.get(id);
    if (!set) watchesByToken.set(id, (set = new Set()));
    set.add(res);
    // A join token's watch ends when the token expires; the reconnect is then refused.
    const expiry =
      caller.expiresAt === undefined
        ? undefined
        : setTimeout(
            () => res.end(),
            Math.min(Math.max(0, caller.expiresAt - Date.now()), 2 ** 31 - 1),
          );
    res.on('close', () => {
      clearTimeout(expiry);
      set.delete(res);
      if (set.size === 0) watchesByToken.delete(id);
    });
  };
  const endWatches = (tokenId: string) => {
    for (const res of watchesByToken.get(tokenId) ?? []) res.end();
  };

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
      watchers: hub.count() - hub.count(LEASE_GROUP),
      leaseStreams: hub.count(LEASE_GROUP),
      certsIssued,
      earliestCertExpiry: expiry ? expiry.toISOString() : null,
      caExpiry: deps.ca.notAfter.toISOString(),
    };
  };

  const authenticate = (req: IncomingMessage) => deps.authenticator.authenticate(req);

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
      const caller = await authenticate(req);
      const reg = parseWith(
        endpointRegistrationSchema,
        await readJson(req),
        'endpoint registration',
      );
      requireWorkload(caller, reg.namespace, reg.serviceAccount, 'register an endpoint');
      const registered = () =>
        deps.logger.info(
          {
            service: serviceKey(reg.namespace, reg.service),
            pod: reg.pod,
            address: `${reg.address}:${reg.port}`,
          },
          'endpoint registered',
        );
      // A lease stream: the same registration with `accept: text/event-stream` holds the lease
      // for as long as the response stays open (heartbeats tell both sides the other is alive),
      // so an idle proxy sends nothing instead of renewing every TTL/3.
      if (/\btext\/event-stream\b/.test(req.headers.accept ?? '')) {
        const held = deps.registry.hold(reg);
        if (held.changed) registered();
        const send = hub.open(res, LEASE_GROUP);
        trackWatch(caller, res);
        // a random quarter off, so proxies that connected together do not all come back together
        const maxAge = setTimeout(
          () => res.end(),
          deps.leaseStreamMaxMs * (0.75 + Math.random() / 4),
        );
        res.on('close', () => {
          clearTimeout(maxAge);
          held.release();
        });
        send('lease', { leaseTtlSeconds: deps.leaseTtlSeconds });
        return;
      }
      if (deps.registry.upsert(reg)) registered();
      sendJson(res, 200, { leaseTtlSeconds: deps.leaseTtlSeconds, leaseStream: true });
    },
    'DELETE /api/v1/endpoints': async (req, res) => {
      const caller = await authenticate(req);
      const d = parseWith(deregisterRequestSchema, await readJson(req), 'deregistration');
      const existing = deps.registry
        .forService(serviceKey(d.namespace, d.service))
        .endpoints.find((e) => e.address === d.address && e.port === d.port);
      if (!existing) throw new NotFoundError('no such endpoint');
      // Endpoints read from the Kubernetes API are the API's to remove, not a workload's.
      if (existing.serviceAccount === undefined)
        throw new ForbiddenError(
          'this endpoint comes from the Kubernetes API and cannot be removed here',
        );
      requireWorkload(caller, existing.namespace, existing.serviceAccount, 'remove an endpoint');
      if (!deps.registry.remove(d)) throw new NotFoundError('no such endpoint');
      deps.logger.info(
        { service: serviceKey(d.namespace, d.service), address: `${d.address}:${d.port}` },
        'endpoint deregistered',
      );
      sendJson(res, 200, { removed: true });
    },
    'GET /api/v1/endpoints': async (req, res) => {
      await authenticate(req);
      sendJson(res, 200, { endpoints: deps.registry.list() });
    },
    'GET /api/v1/watch/endpoints': async (req, res, url) => {
      const caller = await authenticate(req);
      const svc = url.searchParams.get('service') ?? '';
      if (!SERVICE_RE.test(svc))
        throw new InvalidInputError('query parameter "service" must be "name.namespace"');
      const send = hub.open(res, `ep:${svc}`);
      trackWatch(caller, res);
      send('endpoints', { service: svc, ...deps.registry.forService(svc) });
    },
    'GET /api/v1/watch/config': async (req, res) => {
      const caller = await authenticate(req);
      const send = hub.open(res, 'config');
      trackWatch(caller, res);
      const s = deps.config.current();
      send('config', { version: s.version, config: s.config });
    },
    'GET /api/v1/config': async (req, res) => {
      await authenticate(req);
      const s = deps.config.current();
      sendJson(res, 200, { version: s.version, config: s.config });
    },
    'POST /api/v1/certificates': async (req, res) => {
      let caller: Caller;
      try {
        caller = await authenticate(req);
      } catch (err) {
        const unavailable = err instanceof HttpError && err.status === 503;
        metrics.certsRefused.inc({ reason: unavailable ? 'unavailable' : 'unauthenticated' });
        throw err;
      }
      const { csr } = parseWith(
        certificateRequestSchema,
        await readJson(req),
        'certificate request',
      );
      let signed;
      try {
        signed = await deps.ca.sign(csr, deps.certTtlMs, (requested) =>
          requireWorkload(
            caller,
            requested.namespace,
            requested.serviceAccount,
            `obtain a certificate (${requested.spiffeId})`,
          ),
        );
      } catch (err) {
        metrics.certsRefused.inc({ reason: err instanceof ForbiddenError ? 'identity' : 'csr' });
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
          via: caller.kind === 'workload' ? caller.via : caller.kind,
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
    ...tokenRoutes({
      authenticate,
      joinTokens: deps.joinTokens,
      logger: deps.logger,
      onRevoked: endWatches,
    }),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://localhost');
    // The one route with a path parameter: DELETE /api/v1/tokens/<id>.
    const pathKey = url.pathname.startsWith('/api/v1/tokens/')
      ? '/api/v1/tokens/:id'
      : url.pathname;
    const routeKey = `${req.method ?? 'GET'} ${pathKey}`;
    const route = routes[routeKey];
    const label = route ? pathKey : 'other';
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
        // Typed errors carry our own words (503: which dependency is down); others stay private.
        const message = err instanceof HttpError ? err.message : 'internal error';
        const details = err instanceof HttpError && err.details ? { details: err.details } : {};
        sendJson(res, status, { error: message, ...details });
      } else res.end();
    }
    metrics.requests.inc({
      method: req.method ?? 'GET',
      route: label,
      code: String(res.statusCode),
    });
    // streams (watches, held leases) last as long as the peer: not a request duration
    if (!String(res.getHeader('content-type') ?? '').startsWith('text/event-stream')) {
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
