import { FastCounter, FastHistogram } from './fastMetrics';
import { MetricsRegistry } from './metricsRegistry';

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
  const registry = new MetricsRegistry();
  // The per-request series use the fast implementations, rendered by the same registry.
  const requestTotal = new FastCounter('request_total', 'Total count of HTTP requests.');
  const responseTotal = new FastCounter('response_total', 'Total count of HTTP responses.');
  const responseLatency = new FastHistogram(
    'response_latency_ms',
    'Elapsed times between a request being received and its response headers.',
    LATENCY_BUCKETS_MS,
  );
  for (const m of [requestTotal, responseTotal, responseLatency]) registry.register(m);
  const tcpOpenTotal = registry.counter({
    name: 'tcp_open_total',
    help: 'Total count of opened connections.',
    labelNames: TCP_LABELS,
  });
  const tcpCloseTotal = registry.counter({
    name: 'tcp_close_total',
    help: 'Total count of closed connections.',
    labelNames: [...TCP_LABELS, 'classification'],
  });
  const tcpOpenConnections = registry.gauge({
    name: 'tcp_open_connections',
    help: 'Number of currently-open connections.',
    labelNames: TCP_LABELS,
  });
  const tcpReadBytes = registry.counter({
    name: 'tcp_read_bytes_total',
    help: 'Total count of bytes read from peers.',
    labelNames: TCP_LABELS,
  });
  const tcpWriteBytes = registry.counter({
    name: 'tcp_write_bytes_total',
    help: 'Total count of bytes written to peers.',
    labelNames: TCP_LABELS,
  });
  const retries = registry.counter({
    name: 'meshlens_proxy_retries_total',
    help: 'Requests re-sent to another attempt, by reason (connect, reset, status).',
    labelNames: ['direction', 'dst_namespace', 'dst_service', 'reason'],
  });
  const retriesSkipped = registry.counter({
    name: 'meshlens_proxy_retries_skipped_total',
    help: 'Retries not made, by reason (budget, unsafe, attempts).',
    labelNames: ['direction', 'dst_namespace', 'dst_service', 'reason'],
  });
  const lbEjections = registry.counter({
    name: 'meshlens_proxy_lb_ejections_total',
    help: 'Endpoints ejected from load balancing after repeated failures.',
    labelNames: ['dst_namespace', 'dst_service', 'dst_pod'],
  });
  const lbEndpoints = registry.gauge({
    name: 'meshlens_proxy_lb_endpoints',
    help: 'Endpoints known to the load balancer, by health.',
    labelNames: ['dst_namespace', 'dst_service', 'health'],
  });
  const h2Sessions = registry.counter({
    name: 'meshlens_proxy_h2_sessions_total',
    help: 'HTTP/2 sessions opened to upstreams (peer proxies over mTLS, or an h2c app).',
    labelNames: ['direction'],
  });
  const h2Streams = registry.counter({
    name: 'meshlens_proxy_h2_streams_total',
    help: 'Requests sent upstream as streams on a shared HTTP/2 session.',
    labelNames: ['direction'],
  });
  const spansExported = registry.counter({
    name: 'meshlens_proxy_spans_exported_total',
    help: 'Spans accepted by the trace collector.',
  });
  const spansDropped = registry.counter({
    name: 'meshlens_proxy_spans_dropped_total',
    help: 'Spans dropped, by reason (queue_full, export_failed).',
    labelNames: ['reason'],
  });
  const discoveryReloads = registry.counter({
    name: 'meshlens_proxy_discovery_reloads_total',
    help: 'Discovery and configuration reloads, by source and result.',
    labelNames: ['source', 'result'],
  });
  const authzAllow = registry.counter({
    name: 'inbound_http_authz_allow_total',
    help: 'Inbound requests allowed by authorization policy.',
    labelNames: ['authz_name', 'client_id'],
  });
  const authzDeny = registry.counter({
    name: 'inbound_http_authz_deny_total',
    help: 'Inbound requests denied by authorization policy.',
    labelNames: ['authz_name', 'client_id'],
  });
  const processCpu = registry.counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    collect: () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    },
  });
  const processRss = registry.gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    collect: () => process.memoryUsage.rss(),
  });
  // Where the RSS goes (the memory bench and operators read these; names as prom-client's default metrics)
  const heapUsed = registry.gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'Process heap size used from Node.js in bytes.',
    collect: () => process.memoryUsage().heapUsed,
  });
  const heapTotal = registry.gauge({
    name: 'nodejs_heap_size_total_bytes',
    help: 'Process heap size from Node.js in bytes.',
    collect: () => process.memoryUsage().heapTotal,
  });
  const external = registry.gauge({
    name: 'nodejs_external_memory_bytes',
    help: 'Node.js external memory size in bytes.',
    collect: () => process.memoryUsage().external,
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
