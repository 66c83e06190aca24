import http from 'node:http';
import net, { type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createAdminServer } from './admin';
import type { AttemptTarget } from './attempt';
import type { EndpointState } from './balancer/endpointState';
import { Destinations } from './destinations';
import type { DiscoverySource } from './discovery/discoverySource';
import type { ProxyFlags } from './flags';
import { servePipeline } from './entry';
import { createInboundHandler, type Authorizer } from './inbound';
import { createMetrics, type ProxyMetrics } from './metrics';
import { createOutboundHandler } from './outbound';
import { directRouter, type Router } from './router';
import { createUpstreamPool } from './upstreamPool';
import { TcpTracker } from './tcpTracker';
import { SpanExporter } from './tracing/spanExporter';
import { Tracer } from './tracing/tracer';
import { MeshTls } from './mtls';
import { createCaptureListener, type CaptureListener } from './capture/captureListener';
import type { OriginalDstReader } from './capture/originalDst';
import { serveH2, sniffPreface } from './h2/h2Entry';
import { H2SessionPool } from './h2/sessionPool';
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
  /** With --capture: reads a redirected connection's original destination (SO_ORIGINAL_DST). */
  readOriginalDst?: OriginalDstReader;
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

/** Requests enter through servePipeline, which also answers what Node's parser refuses. */
function createListener(): http.Server {
  const server = http.createServer({ requestTimeout: 0, headersTimeout: 60_000 });
  server.keepAliveTimeout = 65_000;
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
          tokenFile: flags.traceTokenFile,
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
  const dstLabels = (host: string, port: number) => {
    const info = destinations.endpointAt(host, port);
    return info === undefined
      ? {}
      : {
          dst_namespace: info.namespace,
          dst_service: info.service,
          dst_deployment: info.workload,
          dst_pod: info.pod,
        };
  };
  // Plaintext HTTP/1.1 upstreams: undici pools for what they can carry, the agents for the rest.
  const outboundPool = createUpstreamPool((socket, host, port) =>
    tcp.track(socket, {
      direction: 'outbound',
      peer: 'dst',
      tls: 'no_identity',
      ...dstLabels(host, port),
    }),
  );
  const appHttpPool = createUpstreamPool((socket) =>
    tcp.track(socket, { direction: 'inbound', peer: 'dst', tls: 'no_identity' }),
  );
  let malformedLogged = 0;
  // At most one line per 5 s: malformed input is cheap to send.
  const onMalformed = (err: string, code?: string) => {
    if (Date.now() - malformedLogged > 5000) {
      malformedLogged = Date.now();
      logger.warn({ err, code: code ?? null }, 'malformed request');
    }
  };
  const meshTls = deps.meshTls;
  const tlsFor = (state: EndpointState): AttemptTarget['tls'] => meshTls?.forEndpoint(state);
  const tlsAgent = MeshTls.agent();
  // HTTP/2 sessions: to peer proxies (multiplexing every outbound request to an endpoint on
  // one mTLS connection) and to an h2c app (gRPC).
  const h2Pool = (direction: 'inbound' | 'outbound') =>
    new H2SessionPool({
      onSocket: (socket, ep) => {
        const info =
          direction === 'outbound' ? destinations.endpointAt(ep.address, ep.port) : undefined;
        tcp.track(socket, {
          direction,
          peer: 'dst',
          tls: ep.tls === undefined ? 'no_identity' : 'true',
          ...(info === undefined
            ? {}
            : {
                dst_namespace: info.namespace,
                dst_service: info.service,
                dst_deployment: info.workload,
                dst_pod: info.pod,
              }),
        });
      },
      onSession: () => metrics.h2Sessions.inc({ direction }),
    });
  const peerPool = h2Pool('outbound');
  const appPool = h2Pool('inbound');
  const outbound = createListener();
  let capture: CaptureListener | undefined;
  const outboundHandler = createOutboundHandler({
    capturedService: (req) => capture?.serviceOf(req.socket),
    destinations,
    metrics,
    tracer,
    router: deps.router ?? directRouter,
    defaultTimeoutMs: flags.defaultTimeoutMs,
    agent: outboundAgent,
    pool: outboundPool,
    tlsAgent,
    tlsFor,
    peerH2:
      flags.peerProtocol === 'http1'
        ? undefined
        : {
            pool: peerPool,
            mode: 'alpn',
            onStream: () => metrics.h2Streams.inc({ direction: 'outbound' }),
          },
    logger,
    tap,
    local,
  });
  const outboundEntry = servePipeline(outbound, outboundHandler, onMalformed);
  const outboundH2 = serveH2(outboundHandler);
  // Apps call in HTTP/1.1 or, gRPC clients, in h2c with prior knowledge: the preface tells.
  // The HTTP server only tracks connections on a server that listens itself: stop() ends these.
  const outboundSockets = new Set<Socket>();
  const outboundHttp1 = new WeakSet<Socket>();
  const acceptOutbound = (s: Socket) => {
    outboundSockets.add(s);
    s.once('close', () => outboundSockets.delete(s));
    tcp.track(s, { direction: 'outbound', peer: 'src', tls: 'no_identity' });
    sniffPreface(s, (h2) => {
      if (!h2) outboundHttp1.add(s);
      if (h2) outboundH2.accept(s);
      else outbound.emit('connection', s);
    });
  };
  if (deps.readOriginalDst !== undefined) {
    capture = createCaptureListener({
      accept: acceptOutbound,
      readOriginalDst: deps.readOriginalDst,
      destinations,
      tcp,
      logger,
    });
  }
  // noDelay as http.Server does for its own sockets: small h2 frames must not wait for ACKs.
  const outboundListen: NetServer =
    capture?.server ?? net.createServer({ noDelay: true }, acceptOutbound);

  const inboundHttp = createListener();
  const inboundHandler = createInboundHandler({
    app: flags.app,
    appProtocol: flags.appProtocol,
    appH2: {
      pool: appPool,
      mode: 'prior-knowledge',
      onStream: () => metrics.h2Streams.inc({ direction: 'inbound' }),
    },
    agent: appAgent,
    pool: appHttpPool,
    metrics,
    tracer,
    defaultTimeoutMs: flags.defaultTimeoutMs,
    authorizer: deps.authorizer,
    logger,
    tap,
    local,
  });
  const inboundEntry = servePipeline(inboundHttp, inboundHandler, onMalformed);
  const inboundH2 = serveH2(inboundHandler);
  const inboundSockets = new Set<Socket>();
  const trackInbound = (s: Socket, tls: boolean) => {
    inboundSockets.add(s);
    s.once('close', () => inboundSockets.delete(s));
    tcp.track(s, { direction: 'inbound', peer: 'src', tls: tls ? 'true' : 'no_identity' });
  };
  const inboundListen: http.Server | NetServer =
    meshTls === undefined
      ? inboundHttp
      : meshTls.inboundListener(
          inboundHttp,
          trackInbound,
          flags.peerProtocol === 'h2' ? inboundH2 : undefined,
        );
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
      const dst = direction === 'outbound' ? dstLabels(String(opts.host), Number(opts.port)) : {};
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
    meshTls === undefined
      ? admin
      : meshTls.inboundListener(admin, () => undefined, undefined, 'permissive');

  let started = false;
  const servers = [inboundListen, outboundListen, adminListen];
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
      const outboundAddr = await listen(outboundListen, flags.outbound);
      const adminAddr = await listen(adminListen, flags.admin);
      started = true;
      return { inbound: inboundAddr, outbound: outboundAddr, admin: adminAddr };
    },
    async stop(drainMs = 5000) {
      started = false;
      for (const d of deps.discovery) d.stop();
      const closing = servers.map((s) => new Promise<void>((r) => s.close(() => r())));
      for (const s of [inboundHttp, outbound, admin]) s.closeIdleConnections();
      // What closeIdleConnections does for a listening server: HTTP/1.1 connections with no
      // response in progress (h2 sessions get a GOAWAY from outboundH2.close).
      for (const s of outboundSockets) {
        const busy = (s as { _httpMessage?: unknown })._httpMessage;
        if (outboundHttp1.has(s) && (busy === null || busy === undefined)) s.destroy();
      }
      const timer = setTimeout(() => {
        for (const s of [inboundHttp, outbound, admin]) s.closeAllConnections();
        for (const s of inboundSockets) s.destroy();
        for (const s of outboundSockets) s.destroy();
        // Tunnels (WebSocket) and other connections Node handed over as bare sockets.
        for (const s of [...inboundEntry.detached, ...outboundEntry.detached]) s.destroy();
        capture?.destroyAll();
      }, drainMs);
      await Promise.all([...closing, outboundH2.close(drainMs), inboundH2.close(drainMs)]);
      clearTimeout(timer);
      peerPool.close();
      appPool.close();
      outboundAgent.destroy();
      tlsAgent.destroy();
      meshTls?.close();
      appAgent.destroy();
      await Promise.all([outboundPool.close(), appHttpPool.close()]);
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
