import type http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EndpointState } from './balancer/endpointState';
import type { Destination, Destinations } from './destinations';
import { serviceKeyFromAuthority } from './discovery/discoverySource';
import type { Pipeline, Tunnel } from './entry';
import { forward, sendProxyError, type ForwardPlan, type Pick } from './forward';
import { addForwarded, endToEnd, IDEMPOTENT } from './headers';
import type { HttpLabels, ProxyMetrics } from './metrics';
import { noBody, readBody } from './requestBody';
import type { Tracer } from './tracing/tracer';
import type { Router, RouteDecision } from './router';
import type { AttemptTarget } from './attempt';
import type { UpstreamPool } from './upstreamPool';
import type { H2Route } from './h2/h2Attempt';
import { grpcSpanAttributes, type GrpcOutcome } from './h2/grpc';
import { HttpSeriesCache } from './httpSeries';
import { recordResponse } from './recordResponse';
import { outboundTapStart, peerFromLabels, type LocalPeer } from './tap/hooks';
import type { TapHub } from './tap/tapHub';

export interface OutboundDeps {
  destinations: Destinations;
  metrics: ProxyMetrics;
  tracer: Tracer;
  router: Router;
  defaultTimeoutMs: number;
  agent: http.Agent;
  /** Plaintext HTTP/1.1 pool (undici) for the requests it can carry; `agent` for the rest. */
  pool?: UpstreamPool | undefined;
  /** Keep-alive pool for mTLS connections to other proxies. */
  tlsAgent: http.Agent;
  /** mTLS settings for an endpoint, or undefined for plaintext. */
  tlsFor: (state: EndpointState) => AttemptTarget['tls'];
  /** HTTP/2 sessions to peer proxies (mTLS endpoints; ALPN decides). */
  peerH2?: H2Route | undefined;
  logger: { warn(o: object, m: string): void; info(o: object, m: string): void };
  /** The service a captured connection dialled (by address), ahead of the Host header. */
  capturedService?: (req: IncomingMessage) => string | undefined;
  tap: TapHub;
  local: LocalPeer;
}

/** Target of an outbound request: authority and path from Host or an absolute-form URL. */
export function requestTarget(
  req: IncomingMessage,
): { authority: string; path: string } | undefined {
  const url = req.url ?? '/';
  if (url.startsWith('http://')) {
    try {
      const u = new URL(url);
      return { authority: u.host, path: `${u.pathname}${u.search}` };
    } catch {
      return undefined;
    }
  }
  const host = req.headers.host;
  if (host === undefined || host === '' || !url.startsWith('/')) return undefined;
  return { authority: host, path: url };
}

const DEFAULT_MAX_RETRIES = 2;
const NO_STATUSES: readonly number[] = [];

export function createOutboundHandler(deps: OutboundDeps): Pipeline {
  const cache = new HttpSeriesCache(deps.metrics);
  return (req, res, tunnel) => {
    handleOutbound(deps, cache, req, res, tunnel).catch((err: unknown) => {
      deps.logger.warn({ err: (err as Error).message }, 'outbound request failed');
      sendProxyError(res, 502, 'proxy-failure');
    });
  };
}

async function handleOutbound(
  deps: OutboundDeps,
  cache: HttpSeriesCache,
  req: IncomingMessage,
  res: ServerResponse,
  tunnel: Tunnel | undefined,
): Promise<void> {
  const startMs = performance.now();
  const method = req.method ?? 'GET';
  if (method === 'CONNECT') {
    // An opaque tunnel would pass every later step (routes, faults, the peer's policy).
    sendProxyError(res, 405, 'connect-not-supported');
    return;
  }
  const target = requestTarget(req);
  const key =
    target === undefined
      ? undefined
      : (deps.capturedService?.(req) ?? serviceKeyFromAuthority(target.authority));
  if (target === undefined || key === undefined) {
    req.resume();
    deps.logger.info(
      { host: req.headers.host ?? null },
      'outbound request without a mesh authority',
    );
    sendProxyError(res, 400, 'invalid-authority');
    return;
  }
  // The absolute-form authority wins over Host (RFC 9112 3.2.2) everywhere: routing and its
  // header matches, the Host the next hop polices and sees, metrics and spans.
  if (req.headers.host !== target.authority) req.headers.host = target.authority;
  const authority = deps.metrics.authorityLimiter.value(target.authority.toLowerCase());
  const decision: RouteDecision = deps.router.route(key, {
    method,
    path: target.path,
    headers: req.headers,
  });
  // Known destinations are answered synchronously; only a first call may wait for a watch.
  const dest =
    deps.destinations.get(decision.service, decision.subset) ??
    (await deps.destinations.resolve(decision.service, decision.subset));
  const [svc, ns] = splitKey(decision.service);
  // dst_* only for services discovery knows: Host values are untrusted and unbounded.
  const baseLabels: HttpLabels = {
    direction: 'outbound',
    authority,
    tls: 'no_identity',
    ...(dest === undefined ? {} : { dst_namespace: ns, dst_service: svc }),
    route_name: decision.route?.name ?? 'default',
    ...(decision.route === undefined ? {} : { route_rule: decision.route.rule }),
  };
  const span = deps.tracer.startSpan(
    'client',
    `${method} ${decision.routeName ?? key}`,
    req.headers,
  );
  const tapped = deps.tap.active
    ? deps.tap.start(
        outboundTapStart(
          req,
          deps.local,
          target,
          dest === undefined
            ? undefined
            : {
                namespace: ns,
                service: svc,
                workloads: () => dest.balancer.all().map((s) => s.info.workload),
              },
        ),
        res,
      )
    : undefined;
  const finish = (
    status: number,
    labels: HttpLabels,
    extra: Record<string, string | number>,
    proxyError?: string,
    grpc?: GrpcOutcome,
  ) => {
    tapped?.responded(status, peerFromLabels(labels));
    const ms = performance.now() - startMs;
    // Counted with the final labels (endpoint, tls, server_id) so request_total and
    // response_total series line up.
    const series = cache.of(labels);
    series.requests.inc();
    recordResponse({
      series,
      metrics: deps.metrics,
      res,
      status,
      ms,
      traceId: span.sampled ? span.traceId : undefined,
      proxyError,
      grpc,
      endSpan: () =>
        span.end(
          status,
          {
            'meshlens.direction': 'outbound',
            'meshlens.dst_service': decision.service,
            'http.request.method': method,
            ...extra,
            ...grpcSpanAttributes(grpc),
          },
          proxyError,
          grpc?.failed,
        ),
    });
  };
  if (decision.reject !== undefined) {
    req.resume();
    sendProxyError(res, decision.reject.status, decision.reject.reason);
    finish(decision.reject.status, baseLabels, {}, decision.reject.reason);
    return;
  }
  if (decision.fault?.abortStatus !== undefined) {
    req.resume();
    sendProxyError(res, decision.fault.abortStatus, 'fault-injected');
    finish(decision.fault.abortStatus, baseLabels, {}, 'fault-injected');
    return;
  }
  if (decision.fault?.delayMs !== undefined) await delay(decision.fault.delayMs);
  if (dest === undefined) {
    req.resume();
    sendProxyError(res, 503, 'no-endpoints');
    finish(503, baseLabels, {}, 'no-endpoints');
    return;
  }
  const idempotent = IDEMPOTENT.has(method);
  const headers = endToEnd(req.headers);
  addForwarded(headers, req.socket.remoteAddress, 'http', target.authority);
  headers.host = target.authority;
  applyHeaderMods(headers, decision);
  span.inject(headers);
  const body = noBody(req) ? undefined : await readBody(req, idempotent);
  const plan: ForwardPlan = {
    req,
    res,
    method,
    path: target.path,
    headers,
    body,
    labels: baseLabels,
    pick: (exclude) => pickEndpoint(deps, dest, exclude),
    timeoutMs: decision.timeoutMs ?? dest.policy?.timeoutMs ?? deps.defaultTimeoutMs,
    maxRetries: decision.maxRetries ?? dest.policy?.maxRetries ?? DEFAULT_MAX_RETRIES,
    retryOnStatuses: decision.retryOnStatuses ?? dest.policy?.retryOnStatuses ?? NO_STATUSES,
    retryBackoffMs: decision.retryBackoffMs ?? 0,
    idempotent,
    budget: dest.budget,
    retryLabels: { direction: 'outbound', dst_namespace: ns, dst_service: svc },
    onEjected: (s) => {
      deps.metrics.lbEjections.inc({ dst_namespace: ns, dst_service: svc, dst_pod: s.info.pod });
      deps.logger.warn({ service: dest.key, endpoint: s.key }, 'endpoint ejected');
    },
    tunnel,
  };
  const result = await forwardLogged(deps, plan);
  finish(
    result.status,
    result.labels,
    {
      'meshlens.retries': result.retries,
      ...(result.peer === undefined ? {} : { 'network.peer.address': result.peer }),
      ...(decision.routeName === undefined ? {} : { 'http.route': decision.routeName }),
    },
    result.proxyError,
    result.grpc,
  );
}

async function forwardLogged(deps: OutboundDeps, plan: ForwardPlan) {
  const result = await forward(plan, deps.metrics);
  if (
    result.proxyError !== undefined &&
    result.proxyError !== 'client-closed' &&
    result.remoteError !== true
  ) {
    deps.logger.warn(
      {
        direction: 'outbound',
        service: `${plan.retryLabels.dst_service}.${plan.retryLabels.dst_namespace}`,
        status: result.status,
        error: result.proxyError,
        peer: result.peer ?? null,
        retries: result.retries,
      },
      'proxy error',
    );
  }
  return result;
}

function pickEndpoint(
  deps: OutboundDeps,
  dest: Destination,
  exclude: ReadonlySet<EndpointState>,
): Pick | undefined {
  const now = Date.now();
  const state = dest.balancer.pick(now, exclude) ?? dest.balancer.pick(now);
  if (state === undefined) return undefined;
  const tls = deps.tlsFor(state);
  return {
    state,
    target: {
      address: state.info.address,
      port: state.info.port,
      agent: tls === undefined ? deps.agent : deps.tlsAgent,
      tls,
      pool: tls === undefined ? deps.pool : undefined,
      // Plaintext peers may be anything (an app without a proxy): HTTP/1.1, which every
      // peer speaks and which still carries gRPC's trailers.
      h2: tls === undefined ? undefined : deps.peerH2,
    },
    labels: {
      dst_namespace: state.info.namespace,
      dst_service: state.info.service,
      dst_deployment: state.info.workload,
      dst_pod: state.info.pod,
      ...(tls === undefined ? {} : { tls: 'true', server_id: tls.serverId }),
    },
  };
}

function applyHeaderMods(headers: http.OutgoingHttpHeaders, d: RouteDecision): void {
  const m = d.requestHeaders;
  if (m === undefined) return;
  for (const name of m.remove ?? []) delete headers[name.toLowerCase()];
  for (const [k, v] of Object.entries(m.set ?? {})) headers[k.toLowerCase()] = v;
  for (const [k, v] of Object.entries(m.add ?? {})) {
    const prev = headers[k.toLowerCase()];
    headers[k.toLowerCase()] = prev === undefined ? v : `${String(prev)},${v}`;
  }
}

export function splitKey(key: string): [string, string] {
  const dot = key.indexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
