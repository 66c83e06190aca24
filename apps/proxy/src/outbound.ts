import type http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EndpointState } from './balancer/endpointState';
import type { Destination, Destinations } from './destinations';
import { serviceKeyFromAuthority } from './discovery/discoverySource';
import type { Pipeline, Tunnel } from './entry';
import {
  forward,
  sendProxyError,
  type ForwardPlan,
  type ForwardResult,
  type Pick,
} from './forward';
import { addForwarded, endToEnd, IDEMPOTENT } from './headers';
import type { HttpLabels, ProxyMetrics } from './metrics';
import { noBody, readBody } from './requestBody';
import type { Tracer } from './tracing/tracer';
import type { Router, RouteDecision } from './router';
import type { AttemptTarget } from './attempt';
import type { UpstreamPool } from './upstreamPool';
import type { H2Route } from './h2/h2Attempt';
import { grpcSpanAttributes } from './h2/grpc';
import { HttpSeriesCache } from './httpSeries';
import { PathTable, remembered } from './labelSets';
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

/** What every outbound request shares: its series and the label sets and picks they start from. */
interface OutboundShared {
  cache: HttpSeriesCache;
  /** base labels by authority, service, route name and rule; [unknown, known] destination */
  labelSets: PathTable<[HttpLabels | undefined, HttpLabels | undefined]>;
  picks: PickCache;
}

export function createOutboundHandler(deps: OutboundDeps): Pipeline {
  const shared: OutboundShared = {
    cache: new HttpSeriesCache(deps.metrics),
    labelSets: new PathTable(),
    picks: new PickCache(deps),
  };
  return (req, res, tunnel) => {
    handleOutbound(deps, shared, req, res, tunnel).catch((err: unknown) => {
      deps.logger.warn({ err: (err as Error).message }, 'outbound request failed');
      sendProxyError(res, 502, 'proxy-failure');
    });
  };
}

async function handleOutbound(
  deps: OutboundDeps,
  shared: OutboundShared,
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
      : (deps.capturedService?.(req) ?? serviceKeyOf(target.authority));
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
  const baseLabels = outboundLabels(shared.labelSets, authority, decision, dest !== undefined);
  const span = deps.tracer.startSpan('client', method, decision.routeName ?? key, req.headers);
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
  /** `result` is the forwarded exchange's (none when the proxy answered before sending). */
  const finish = (
    status: number,
    labels: HttpLabels,
    proxyError: string | undefined,
    result?: ForwardResult,
  ) => {
    const grpc = result?.grpc;
    tapped?.responded(status, peerFromLabels(labels));
    const ms = performance.now() - startMs;
    // Counted with the final labels (endpoint, tls, server_id) so request_total and
    // response_total series line up.
    const series = shared.cache.of(labels);
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
      endSpan: span.recording
        ? () =>
            span.end(
              status,
              {
                'meshlens.direction': 'outbound',
                'meshlens.dst_service': decision.service,
                'http.request.method': method,
                ...(result === undefined
                  ? {}
                  : {
                      'meshlens.retries': result.retries,
                      ...(result.peer === undefined ? {} : { 'network.peer.address': result.peer }),
                      ...(decision.routeName === undefined
                        ? {}
                        : { 'http.route': decision.routeName }),
                    }),
                ...grpcSpanAttributes(grpc),
              },
              proxyError,
              grpc?.failed,
            )
        : undefined,
    });
  };
  if (decision.reject !== undefined) {
    req.resume();
    sendProxyError(res, decision.reject.status, decision.reject.reason);
    finish(decision.reject.status, baseLabels, decision.reject.reason);
    return;
  }
  if (decision.fault?.abortStatus !== undefined) {
    req.resume();
    sendProxyError(res, decision.fault.abortStatus, 'fault-injected');
    finish(decision.fault.abortStatus, baseLabels, 'fault-injected');
    return;
  }
  if (decision.fault?.delayMs !== undefined) await delay(decision.fault.delayMs);
  if (dest === undefined) {
    req.resume();
    sendProxyError(res, 503, 'no-endpoints');
    finish(503, baseLabels, 'no-endpoints');
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
    pick: (exclude) => pickEndpoint(shared.picks, dest, exclude),
    timeoutMs: decision.timeoutMs ?? dest.policy?.timeoutMs ?? deps.defaultTimeoutMs,
    maxRetries: decision.maxRetries ?? dest.policy?.maxRetries ?? DEFAULT_MAX_RETRIES,
    retryOnStatuses: decision.retryOnStatuses ?? dest.policy?.retryOnStatuses ?? NO_STATUSES,
    retryBackoffMs: decision.retryBackoffMs ?? 0,
    idempotent,
    budget: dest.budget,
    retryLabels: retryLabelsOf(decision.service),
    onEjected: (s) => {
      deps.metrics.lbEjections.inc({ dst_namespace: ns, dst_service: svc, dst_pod: s.info.pod });
      deps.logger.warn({ service: dest.key, endpoint: s.key }, 'endpoint ejected');
    },
    tunnel,
  };
  const result = await forward(plan, deps.metrics);
  logProxyError(deps, plan, result);
  finish(result.status, result.labels, result.proxyError, result);
}

function logProxyError(deps: OutboundDeps, plan: ForwardPlan, result: ForwardResult): void {
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
}

function pickEndpoint(
  picks: PickCache,
  dest: Destination,
  exclude: ReadonlySet<EndpointState>,
): Pick | undefined {
  const now = Date.now();
  const state = dest.balancer.pick(now, exclude) ?? dest.balancer.pick(now);
  return state === undefined ? undefined : picks.of(state);
}

/**
 * The base labels of an outbound request, one shared object per authority, service, route and
 * whether discovery knows the service. dst_* only for services discovery knows: Host values are
 * untrusted and unbounded (the table is bounded too).
 */
function outboundLabels(
  table: OutboundShared['labelSets'],
  authority: string,
  decision: RouteDecision,
  known: boolean,
): HttpLabels {
  const route = decision.route;
  // a route name is never empty: '' stands for no route
  const name = route?.name ?? '';
  const rule = route?.rule ?? '';
  const pair =
    table.get(authority, decision.service, name, rule) ??
    table.set(authority, decision.service, name, rule, [undefined, undefined]);
  const at = known ? 1 : 0;
  let labels = pair[at];
  if (labels === undefined) {
    const [svc, ns] = splitKey(decision.service);
    labels = pair[at] = {
      direction: 'outbound',
      authority,
      tls: 'no_identity',
      ...(known ? { dst_namespace: ns, dst_service: svc } : {}),
      route_name: route?.name ?? 'default',
      ...(route === undefined ? {} : { route_rule: route.rule }),
    };
  }
  return labels;
}

/**
 * An endpoint's Pick (its target and dst_* labels), made once per endpoint state, discovery's
 * description of it and TLS peer, instead of three objects per attempt.
 */
class PickCache {
  private readonly picks = new WeakMap<
    EndpointState,
    { info: EndpointState['info']; tls: AttemptTarget['tls']; pick: Pick }
  >();

  constructor(private readonly deps: OutboundDeps) {}

  of(state: EndpointState): Pick {
    const tls = this.deps.tlsFor(state);
    const cached = this.picks.get(state);
    if (cached !== undefined && cached.info === state.info && cached.tls === tls) {
      return cached.pick;
    }
    const deps = this.deps;
    const info = state.info;
    const pick: Pick = {
      state,
      target: {
        address: info.address,
        port: info.port,
        agent: tls === undefined ? deps.agent : deps.tlsAgent,
        tls,
        pool: tls === undefined ? deps.pool : undefined,
        // Plaintext peers may be anything (an app without a proxy): HTTP/1.1, which every
        // peer speaks and which still carries gRPC's trailers.
        h2: tls === undefined ? undefined : deps.peerH2,
      },
      labels: {
        dst_namespace: info.namespace,
        dst_service: info.service,
        dst_deployment: info.workload,
        dst_pod: info.pod,
        ...(tls === undefined ? {} : { tls: 'true', server_id: tls.serverId }),
      },
    };
    this.picks.set(state, { info, tls, pick });
    return pick;
  }
}

/** The labels of a service's retry counters, made once per service. */
const retryLabelsOf = remembered((service): ForwardPlan['retryLabels'] => {
  const [svc, ns] = splitKey(service);
  return { direction: 'outbound', dst_namespace: ns, dst_service: svc };
});

/** serviceKeyFromAuthority, once per authority (bounded: Host values are untrusted). */
const serviceKeyOf = remembered(serviceKeyFromAuthority);

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

/** `name.namespace` -> [name, namespace], once per key (callers must not change the array). */
export const splitKey = remembered((key): [string, string] => {
  const dot = key.indexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
});

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
