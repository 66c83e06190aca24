import type http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { spiffeIdFromCert } from '@meshlens/cp-client/peer-identity';
import type { Pipeline, Tunnel } from './entry';
import { forward, sendProxyError, type ForwardPlan, type Pick } from './forward';
import { addForwarded, endToEnd, IDEMPOTENT } from './headers';
import type { HttpLabels, ProxyMetrics } from './metrics';
import { HttpSeriesCache } from './httpSeries';
import { PathTable } from './labelSets';
import { recordResponse } from './recordResponse';
import { noBody, readBody } from './requestBody';
import type { Tracer } from './tracing/tracer';
import type { H2Route } from './h2/h2Attempt';
import { grpcSpanAttributes, isGrpc, type GrpcOutcome } from './h2/grpc';
import { inboundTapStart, type LocalPeer } from './tap/hooks';
import type { TapHub } from './tap/tapHub';
import type { UpstreamPool } from './upstreamPool';

export interface Authorizer {
  authorize(
    clientId: string | undefined,
    request: { method: string; path: string; headers: http.IncomingHttpHeaders },
  ): { allowed: boolean; reason: string; policy: string };
}

export interface InboundDeps {
  app: { address: string; port: number } | undefined;
  /** http1 unless the app speaks h2c; gRPC requests go as h2c regardless. */
  appProtocol: 'http1' | 'h2c';
  appH2: H2Route;
  agent: http.Agent;
  /** Plaintext HTTP/1.1 pool (undici) to the app for the requests it can carry. */
  pool?: UpstreamPool | undefined;
  metrics: ProxyMetrics;
  tracer: Tracer;
  defaultTimeoutMs: number;
  authorizer: Authorizer | undefined;
  logger: { warn(o: object, m: string): void };
  tap: TapHub;
  local: LocalPeer;
}

const peerIds = new WeakMap<Socket, string | undefined>();

/** SPIFFE id of the client certificate on an mTLS connection (cached per connection). */
export function peerIdentity(socket: Socket): string | undefined {
  if (!(socket as TLSSocket).encrypted) return undefined;
  if (peerIds.has(socket)) return peerIds.get(socket);
  const verified = (socket as TLSSocket).authorized
    ? spiffeIdFromCert((socket as TLSSocket).getPeerCertificate())
    : undefined;
  peerIds.set(socket, verified);
  return verified;
}

/** What every inbound request shares: its series, label sets and the app as a pick. */
interface InboundShared {
  cache: HttpSeriesCache;
  labelSets: PathTable<HttpLabels>;
  /** The app over HTTP/1.1 and over h2c; undefined without an app. */
  pickApp: (() => Pick | undefined) | undefined;
  pickAppH2: (() => Pick | undefined) | undefined;
}

const INBOUND_RETRY_LABELS = { direction: 'inbound', dst_namespace: '', dst_service: '' };
const NO_STATUSES: readonly number[] = [];
const NO_LABELS: Partial<HttpLabels> = {};
const noApp = (): undefined => undefined;

export function createInboundHandler(deps: InboundDeps): Pipeline {
  const app = deps.app;
  const appPick = (h2: H2Route | undefined): (() => Pick) | undefined => {
    if (app === undefined) return undefined;
    const target = { address: app.address, port: app.port, agent: deps.agent, h2, pool: deps.pool };
    const pick: Pick = { target, state: undefined, labels: NO_LABELS };
    return () => pick;
  };
  const shared: InboundShared = {
    cache: new HttpSeriesCache(deps.metrics),
    labelSets: new PathTable(),
    pickApp: appPick(undefined),
    pickAppH2: appPick(deps.appH2),
  };
  return (req, res, tunnel) => {
    handleInbound(deps, shared, req, res, tunnel).catch((err: unknown) => {
      deps.logger.warn({ err: (err as Error).message }, 'inbound request failed');
      sendProxyError(res, 502, 'proxy-failure');
    });
  };
}

async function handleInbound(
  deps: InboundDeps,
  shared: InboundShared,
  req: IncomingMessage,
  res: ServerResponse,
  tunnel: Tunnel | undefined,
): Promise<void> {
  const startMs = performance.now();
  const method = req.method ?? 'GET';
  const path = req.url ?? '/';
  const tlsSocket = (req.socket as TLSSocket).encrypted === true;
  const clientId = peerIdentity(req.socket);
  const authority = deps.metrics.authorityLimiter.value((req.headers.host ?? '').toLowerCase());
  const tls = tlsSocket ? 'true' : 'no_identity';
  // a SPIFFE id is never empty: '' stands for no client identity
  const labels =
    shared.labelSets.get(authority, tls, clientId ?? '', '') ??
    shared.labelSets.set(authority, tls, clientId ?? '', '', {
      direction: 'inbound',
      authority,
      tls,
      ...(clientId === undefined ? {} : { client_id: clientId }),
    });
  const series = shared.cache.of(labels);
  series.requests.inc();
  const span = deps.tracer.startSpan('server', method, 'inbound', req.headers);
  const tapped = deps.tap.active
    ? deps.tap.start(inboundTapStart(req, deps.local, clientId, tlsSocket), res)
    : undefined;
  const finish = (
    status: number,
    extra: Record<string, string | number>,
    proxyError?: string,
    grpc?: GrpcOutcome,
  ) => {
    tapped?.responded(status);
    recordResponse({
      series,
      metrics: deps.metrics,
      res,
      status,
      ms: performance.now() - startMs,
      traceId: span.sampled ? span.traceId : undefined,
      proxyError,
      grpc,
      endSpan: span.recording
        ? () =>
            span.end(
              status,
              {
                'meshlens.direction': 'inbound',
                'http.request.method': method,
                ...extra,
                ...grpcSpanAttributes(grpc),
              },
              proxyError,
              grpc?.failed,
            )
        : undefined,
    });
  };
  // Peer proxies send origin-form; CONNECT (authority-form) would be an opaque tunnel past
  // every later step, absolute-form a second authority beside Host.
  if (!path.startsWith('/')) {
    req.resume();
    const [status, reason] =
      method === 'CONNECT' ? [405, 'connect-not-supported'] : [400, 'invalid-request-target'];
    sendProxyError(res, status, reason);
    finish(status, {}, reason);
    return;
  }
  if (deps.authorizer !== undefined) {
    const verdict = deps.authorizer.authorize(clientId, { method, path, headers: req.headers });
    const authzLabels = { authz_name: verdict.policy, client_id: clientId ?? '' };
    if (!verdict.allowed) {
      deps.metrics.authzDeny.inc(authzLabels);
      req.resume();
      // Header values must be plain visible ASCII.
      sendProxyError(res, 403, `forbidden: ${verdict.reason.replace(/[^\x20-\x7e]/g, '?')}`);
      finish(403, {}, 'forbidden');
      return;
    }
    deps.metrics.authzAllow.inc(authzLabels);
  }
  const headers = endToEnd(req.headers);
  addForwarded(headers, req.socket.remoteAddress, tlsSocket ? 'https' : 'http', req.headers.host);
  span.inject(headers);
  const idempotent = IDEMPOTENT.has(method);
  // gRPC needs HTTP/2 (trailers, streams); other requests go in the app's protocol.
  const appH2 = deps.appProtocol === 'h2c' || isGrpc(req.headers);
  const plan: ForwardPlan = {
    req,
    res,
    method,
    path,
    headers,
    body: noBody(req) ? undefined : await readBody(req, false),
    labels,
    pick: (appH2 ? shared.pickAppH2 : shared.pickApp) ?? noApp,
    timeoutMs: deps.defaultTimeoutMs,
    // One retry covers the race of a reused keep-alive connection the app just closed.
    maxRetries: 1,
    retryOnStatuses: NO_STATUSES,
    idempotent,
    budget: undefined,
    retryLabels: INBOUND_RETRY_LABELS,
    tunnel,
  };
  const result = await forward(plan, deps.metrics);
  // The local app is not a proxy: a proxy-error header it relays does not make its answer ours.
  const proxyError = result.remoteError === true ? undefined : result.proxyError;
  if (proxyError !== undefined && proxyError !== 'client-closed') {
    deps.logger.warn(
      { direction: 'inbound', status: result.status, error: proxyError },
      'proxy error',
    );
  }
  finish(result.status, {}, proxyError, result.grpc);
}
