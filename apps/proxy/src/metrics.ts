import { Counter, Gauge, Registry, type Metric, type RegistryContentType } from 'prom-client';
import { FastCounter, FastHistogram } from './fastMetrics';

/** Linkerd's response_latency_ms buckets. */
export const LATENCY_BUCKETS_MS = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000,
  20000, 30000, 40000, 50000,
];

/** Labels of request_total / response_total / response_latency_ms (Linkerd's names). */
export const HTTP_LABELS = [
  'direction',
  'authority',
  'tls',
  'client_id',
  'server_id',
  'dst_namespace',
  'dst_service',
  'dst_deployment',
  'dst_pod',
  // the matched HTTPRoute (`default` when none) and rule index: outbound only, bounded by config
  'route_name',
  'route_rule',
] as const;
const TCP_LABELS = [
  'direction',
  'peer',
  'tls',
  'dst_namespace',
  'dst_service',
  'dst_deployment',
  'dst_pod',
] as const;

export type HttpLabels = Partial<Record<(typeof HTTP_LABELS)[number], string>> & {
  direction: 'inbound' | 'outbound';
  tls: string;
};
export type TcpLabels = Partial<Record<(typeof TCP_LABELS)[number], string>> & {
  direction: 'inbound' | 'outbound';
  peer: 'src' | 'dst';
  tls: string;
};

/** Bounds a label's distinct values; later ones collapse into "other". */
export class LabelLimiter {
  private readonly seen = new Set<string>();
  constructor(private readonly max = 100) {}
  value(v: string): string {
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(v);
    return v;
  }
}

export type ProxyMetrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  // Exemplars need an OpenMetrics registry; renderMetrics switches the type per scrape.
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const registers = [registry];
  // The per-request series use the fast implementations, rendered by the same registry.
  const requestTotal = new FastCounter('request_total', 'Total count of HTTP requests.');
  const responseTotal = new FastCounter('response_total', 'Total count of HTTP responses.');
  const responseLatency = new FastHistogram(
    'response_latency_ms',
    'Elapsed times between a request being received and its response headers.',
    LATENCY_BUCKETS_MS,
  );
  for (const m of [requestTotal, responseTotal, responseLatency]) {
    registry.registerMetric(m as unknown as Metric);
  }
  const tcpOpenTotal = new Counter({
    name: 'tcp_open_total',
    help: 'Total count of opened connections.',
    labelNames: TCP_LABELS,
    registers,
  });
  const tcpCloseTotal = new Counter({
    name: 'tcp_close_total',
    help: 'Total count of closed connections.',
    labelNames: [...TCP_LABELS, 'classification'],
    registers,
  });
  const tcpOpenConnections = new Gauge({
    name: 'tcp_open_connections',
    help: 'Number of currently-open connections.',
    labelNames: TCP_LABELS,
    registers,
  });
  const tcpReadBytes = new Counter({
    name: 'tcp_read_bytes_total',
    help: 'Total count of bytes read from peers.',
    labelNames: TCP_LABELS,
    registers,
  });
  const tcpWriteBytes = new Counter({
    name: 'tcp_write_bytes_total',
    help: 'Total count of bytes written to peers.',
    labelNames: TCP_LABELS,
    registers,
  });
  const retries = new Counter({
    name: 'meshlens_proxy_retries_total',
    help: 'Requests re-sent to another attempt, by reason (connect, reset, status).',
    labelNames: ['direction', 'dst_namespace', 'dst_service', 'reason'],
    registers,
  });
  const retriesSkipped = new Counter({
    name: 'meshlens_proxy_retries_skipped_total',
    help: 'Retries not made, by reason (budget, unsafe, attempts).',
    labelNames: ['direction', 'dst_namespace', 'dst_service', 'reason'],
    registers,
  });
  const lbEjections = new Counter({
    name: 'meshlens_proxy_lb_ejections_total',
    help: 'Endpoints ejected from load balancing after repeated failures.',
    labelNames: ['dst_namespace', 'dst_service', 'dst_pod'],
    registers,
  });
  const lbEndpoints = new Gauge({
    name: 'meshlens_proxy_lb_endpoints',
    help: 'Endpoints known to the load balancer, by health.',
    labelNames: ['dst_namespace', 'dst_service', 'health'],
    registers,
  });
  const h2Sessions = new Counter({
    name: 'meshlens_proxy_h2_sessions_total',
    help: 'HTTP/2 sessions opened to upstreams (peer proxies over mTLS, or an h2c app).',
    labelNames: ['direction'],
    registers,
  });
  const h2Streams = new Counter({
    name: 'meshlens_proxy_h2_streams_total',
    help: 'Requests sent upstream as streams on a shared HTTP/2 session.',
    labelNames: ['direction'],
    registers,
  });
  const spansExported = new Counter({
    name: 'meshlens_proxy_spans_exported_total',
    help: 'Spans accepted by the trace collector.',
    registers,
  });
  const spansDropped = new Counter({
    name: 'meshlens_proxy_spans_dropped_total',
    help: 'Spans dropped, by reason (queue_full, export_failed).',
    labelNames: ['reason'],
    registers,
  });
  const discoveryReloads = new Counter({
    name: 'meshlens_proxy_discovery_reloads_total',
    help: 'Discovery and configuration reloads, by source and result.',
    labelNames: ['source', 'result'],
    registers,
  });
  const authzAllow = new Counter({
    name: 'inbound_http_authz_allow_total',
    help: 'Inbound requests allowed by authorization policy.',
    labelNames: ['authz_name', 'client_id'],
    registers,
  });
  const authzDeny = new Counter({
    name: 'inbound_http_authz_deny_total',
    help: 'Inbound requests denied by authorization policy.',
    labelNames: ['authz_name', 'client_id'],
    registers,
  });
  const processCpu = new Counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    registers,
    collect() {
      const u = process.cpuUsage();
      this.reset();
      this.inc((u.user + u.system) / 1e6);
    },
  });
  const processRss = new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  // Where the RSS goes (the memory bench and operators read these; names as prom-client's defaults)
  const heapUsed = new Gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'Process heap size used from Node.js in bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  const heapTotal = new Gauge({
    name: 'nodejs_heap_size_total_bytes',
    help: 'Process heap size from Node.js in bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage().heapTotal);
    },
  });
  const external = new Gauge({
    name: 'nodejs_external_memory_bytes',
    help: 'Node.js external memory size in bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage().external);
    },
  });
  return {
    registry,
    requestTotal,
    responseTotal,
    responseLatency,
    tcpOpenTotal,
    tcpCloseTotal,
    tcpOpenConnections,
    tcpReadBytes,
    tcpWriteBytes,
    retries,
    retriesSkipped,
    lbEjections,
    lbEndpoints,
    h2Sessions,
    h2Streams,
    spansExported,
    spansDropped,
    discoveryReloads,
    authzAllow,
    authzDeny,
    processCpu,
    processRss,
    heapUsed,
    heapTotal,
    external,
    authorityLimiter: new LabelLimiter(100),
  };
}

export const OPENMETRICS_CONTENT_TYPE = Registry.OPENMETRICS_CONTENT_TYPE;
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

let chain: Promise<unknown> = Promise.resolve();

/**
 * Renders the registry in the text format or OpenMetrics (with exemplars). prom-client
 * renames counters in place when rendering OpenMetrics and keys the format on the
 * registry, so renders are serialized and names and type restored afterwards.
 */
export function renderMetrics(
  registry: Registry<RegistryContentType>,
  openMetrics: boolean,
): Promise<string> {
  const run = async (): Promise<string> => {
    const metrics = registry.getMetricsAsArray() as unknown as { name: string }[];
    const names = metrics.map((m) => m.name);
    registry.setContentType(openMetrics ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE);
    try {
      return await registry.metrics();
    } finally {
      registry.setContentType(OPENMETRICS_CONTENT_TYPE);
      metrics.forEach((m, i) => (m.name = names[i] ?? m.name));
    }
  };
  const next = chain.then(run, run);
  chain = next.catch(() => undefined);
  return next;
}
