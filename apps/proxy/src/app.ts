import http from 'node:http';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createAdminServer } from './admin';
import type { AttemptTarget } from './attempt';
import type { EndpointState } from './balancer/endpointState';
import { Destinations } from './destinations';
import type { DiscoverySource } from './discovery/discoverySource';
import { serviceKeyFromAuthority } from './discovery/discoverySource';
import type { ProxyFlags } from './flags';
import { addForwarded, endToEnd } from './headers';
import { createInboundHandler, type Authorizer } from './inbound';
import { createMetrics, type ProxyMetrics } from './metrics';
import { createOutboundHandler, requestTarget } from './outbound';
import { directRouter, type Router } from './router';
import { TcpTracker } from './tcpTracker';
import { SpanExporter } from './tracing/spanExporter';
import { Tracer } from './tracing/tracer';
import { proxyUpgrade, rejectUpgrade } from './upgrade';
import { MeshTls } from './mtls';
import { redactionSet } from './tap/redact';
import { TapHub } from './tap/tapHub';

export interface Logger {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
  error(o: object, m: string): void;
}

export interface AppDeps {
  flags: ProxyFlags;
  logger: Logger;
  discovery: DiscoverySource[];
  router?: Router;
  authorizer?: Authorizer;
  /** Workload mTLS (certificates from the control plane); plaintext everywhere when absent. */
  meshTls?: MeshTls;
  metrics?: ProxyMetrics;
  /** bearer token that may tap (read from --tap-token-file) */
  tapToken?: string;
}

export interface BoundAddress {
  address: string;
  port: number;
}

export interface ProxyApp {
  metrics: ProxyMetrics;
  destinations: Destinations;
  tap: TapHub;
  start(): Promise<{ inbound: BoundAddress; outbound: BoundAddress; admin: BoundAddress }>;
  stop(drainMs?: number): Promise<void>;
}

function createListener(onClientError: (socket: Duplex, err: Error) => void): http.Server {
  const server = http.createServer({ requestTimeout: 0, headersTimeout: 60_000 });
  server.keepAliveTimeout = 65_000;
  server.on('clientError', (err, socket) => onClientError(socket, err));
  return server;
}

/** Builds the proxy: inbound, outbound and admin listeners sharing metrics and tracing. */
export function createApp(deps: AppDeps): ProxyApp {
  const { flags, logger } = deps;
  const metrics = deps.metrics ?? createMetrics();
  const tcp = new TcpTracker(metrics);
  const destinations = new Destinations(deps.discovery, flags.lb);
  const exporter =
    flags.traceCollectorUrl === undefined
      ? undefined
      : new SpanExporter({
          url: flags.traceCollectorUrl,
          resource: {
            'service.name': flags.identity.service,
            'service.namespace': flags.identity.namespace,
            'k8s.namespace.name': flags.identity.namespace,
            'k8s.deployment.name': flags.identity.workload,
            'k8s.pod.name': flags.identity.pod,
            ...(flags.identity.version === undefined
              ? {}
              : { 'service.version': flags.identity.version }),
          },
          onExported: (n) => metrics.spansExported.inc(n),
          onDropped: (reason, n) => metrics.spansDropped.inc({ reason }, n),
          logger,
        });
  const tracer = new Tracer({ sampleRate: flags.traceSampleRate, exporter });
  const tap = new TapHub(
    {
      namespace: flags.identity.namespace,
      workload: flags.identity.workload,
      pod: flags.identity.pod,
    },
    redactionSet(flags.tap.redactHeaders),
  );
  const local = {
    namespace: flags.identity.namespace,
    service: flags.identity.service,
    workload: flags.identity.workload,
    pod: flags.identity.pod,
    ...(deps.meshTls === undefined ? {} : { identity: deps.meshTls.localId }),
  };
  const agentOptions = {
    keepAlive: true,
    maxSockets: Infinity,
    maxFreeSockets: 256,
    scheduling: 'lifo' as const,
  };
  const outboundAgent = new http.Agent(agentOptions);
  const appAgent = new http.Agent(agentOptions);
  let malformedLogged = 0;
  const onClientError = (socket: Duplex, err: Error) => {
    if (Date.now() - malformedLogged > 5000) {
      malformedLogged = Date.now();
      logger.warn(
        { err: err.message, code: (err as NodeJS.ErrnoException).code ?? null },
        'malformed request',
      );
    }
    if (socket.writable) {
      socket.end(
        'HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\nx-meshlens-proxy-error: malformed-request\r\n\r\n',
      );
    }
    socket.destroy();
  };
  const meshTls = deps.meshTls;
  const tlsFor = (state: EndpointState): AttemptTarget['tls'] => meshTls?.forEndpoint(state);
  const tlsAgent = MeshTls.agent();
  const outbound = createListener(onClientError);
  const outboundHandler = createOutboundHandler({
    destinations,
    metrics,
    tracer,
    router: deps.router ?? directRouter,
    defaultTimeoutMs: flags.defaultTimeoutMs,
    agent: outboundAgent,
    tlsAgent,
    tlsFor,
    logger,
    tap,
    local,
  });
  outbound.on('request', outboundHandler);
  outbound.on('checkContinue', outboundHandler);
  outbound.on('connection', (s: Socket) =>
    tcp.track(s, { direction: 'outbound', peer: 'src', tls: 'no_identity' }),
  );
  outbound.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const target = requestTarget(req);
    const key = target === undefined ? undefined : serviceKeyFromAuthority(target.authority);
    const dest =
      key === undefined
        ? undefined
        : destinations.get(
            (deps.router ?? directRouter).route(key, {
              method: req.method ?? 'GET',
              path: target?.path ?? '/',
              headers: req.headers,
            }).service,
          );
    const state = dest?.balancer.pick(Date.now());
    if (target === undefined || state === undefined) {
      rejectUpgrade(
        socket,
        target === undefined ? 400 : 503,
        target === undefined ? 'invalid-authority' : 'no-endpoints',
      );
      return;
    }
    const headers = endToEnd(req.headers);
    addForwarded(headers, req.socket.remoteAddress, 'http', target.authority);
    headers.host = target.authority;
    void proxyUpgrade(
      req,
      socket,
      head,
      {
        address: state.info.address,
        port: state.info.port,
        agent: outboundAgent,
        tls: tlsFor(state),
      },
      headers,
      target.path,
    );
  });

  const inboundHttp = createListener(onClientError);
  const inboundHandler = createInboundHandler({
    app: flags.app,
    agent: appAgent,
    metrics,
    tracer,
    defaultTimeoutMs: flags.defaultTimeoutMs,
    authorizer: deps.authorizer,
    logger,
    tap,
    local,
  });
  inboundHttp.on('request', inboundHandler);
  inboundHttp.on('checkContinue', inboundHandler);
  inboundHttp.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const app = flags.app;
    if (app === undefined) {
      rejectUpgrade(socket, 503, 'no-endpoints');
      return;
    }
    const headers = endToEnd(req.headers);
    addForwarded(headers, req.socket.remoteAddress, 'http', req.headers.host);
    void proxyUpgrade(
      req,
      socket,
      head,
      { address: app.address, port: app.port, agent: appAgent },
      headers,
      req.url ?? '/',
    );
  });
  const inboundSockets = new Set<Socket>();
  const trackInbound = (s: Socket, tls: boolean) => {
    inboundSockets.add(s);
    s.once('close', () => inboundSockets.delete(s));
    tcp.track(s, { direction: 'inbound', peer: 'src', tls: tls ? 'true' : 'no_identity' });
  };
  const inboundListen: http.Server | NetServer =
    meshTls === undefined ? inboundHttp : meshTls.inboundListener(inboundHttp, trackInbound);
  if (meshTls === undefined) inboundHttp.on('connection', (s: Socket) => trackInbound(s, false));
  // Upstream connections, counted once per socket with the labels of their destination.
  const trackUpstream = (
    agent: http.Agent,
    direction: 'inbound' | 'outbound',
    tls: 'true' | 'no_identity',
  ) => {
    const create = agent.createConnection.bind(agent);
    agent.createConnection = (
      opts: http.ClientRequestArgs,
      cb?: (err: Error | null, s: Duplex) => void,
    ) => {
      const socket = create(opts, cb) as Socket;
      const info =
        direction === 'outbound'
          ? destinations.endpointAt(String(opts.host), Number(opts.port))
          : undefined;
      const dst =
        info === undefined
          ? {}
          : {
              dst_namespace: info.namespace,
              dst_service: info.service,
              dst_deployment: info.workload,
              dst_pod: info.pod,
            };
      tcp.track(socket, { direction, peer: 'dst', tls, ...dst });
      return socket;
    };
  };
  trackUpstream(outboundAgent, 'outbound', 'no_identity');
  // Connections of the mTLS agent are mTLS: their tcp_* series say so, like the HTTP ones.
  trackUpstream(tlsAgent, 'outbound', 'true');
  trackUpstream(appAgent, 'inbound', 'no_identity');

  const admin = createAdminServer({
    metrics,
    beforeScrape: () => {
      tcp.flush();
      updateLbGauge(metrics, destinations);
    },
    ready: () => started && deps.discovery.every((d) => d.ready()),
    describe: () => ({
      identity: flags.identity,
      discovery: deps.discovery.map((d) => d.describe()),
      balancers: destinations.describe(),
    }),
    tap: {
      hub: tap,
      access: { identities: new Set(flags.tap.identities), token: deps.tapToken },
      logger,
    },
  });
  // With mesh identity the admin port also takes mTLS (first byte tells), so the dashboard can
  // prove who it is to tap; scrapers keep using plaintext.
  const adminListen: http.Server | NetServer =
    meshTls === undefined ? admin : meshTls.inboundListener(admin, () => undefined, 'permissive');

  let started = false;
  const servers = [inboundListen, outbound, adminListen];
  return {
    metrics,
    destinations,
    tap,
    async start() {
      const listen = (s: http.Server | NetServer, a: { address: string; port: number }) =>
        new Promise<BoundAddress>((resolve, reject) => {
          s.once('error', reject);
          s.listen(a.port, a.address, () => {
            const info = s.address() as AddressInfo;
            resolve({ address: info.address, port: info.port });
          });
        });
      const inboundAddr = await listen(inboundListen, flags.inbound);
      const outboundAddr = await listen(outbound, flags.outbound);
      const adminAddr = await listen(adminListen, flags.admin);
      started = true;
      return { inbound: inboundAddr, outbound: outboundAddr, admin: adminAddr };
    },
    async stop(drainMs = 5000) {
      started = false;
      for (const d of deps.discovery) d.stop();
      const closing = servers.map((s) => new Promise<void>((r) => s.close(() => r())));
      for (const s of [inboundHttp, outbound, admin]) s.closeIdleConnections();
      const timer = setTimeout(() => {
        for (const s of [inboundHttp, outbound, admin]) s.closeAllConnections();
        for (const s of inboundSockets) s.destroy();
      }, drainMs);
      await Promise.all(closing);
      clearTimeout(timer);
      outboundAgent.destroy();
      tlsAgent.destroy();
      meshTls?.close();
      appAgent.destroy();
      await exporter?.stop();
    },
  };
}

function updateLbGauge(metrics: ProxyMetrics, destinations: Destinations): void {
  const now = Date.now();
  metrics.lbEndpoints.reset();
  for (const d of destinations.all()) {
    const counts = { healthy: 0, ejected: 0, probing: 0 };
    for (const s of d.balancer.all()) counts[s.health(now)]++;
    for (const [health, n] of Object.entries(counts)) {
      metrics.lbEndpoints.set({ dst_namespace: d.namespace, dst_service: d.service, health }, n);
    }
  }
}
