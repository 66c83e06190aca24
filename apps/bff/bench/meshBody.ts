/*
 * Generates a Linkerd-proxy-like /metrics body of about 2,000 series: inbound and 8 outbound
 * flows, 7 status codes each, Linkerd's 26 latency buckets, TCP series and process noise.
 */
const LINKERD_LE = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000,
  20000, 30000, 40000, 50000,
];
const CODES: [string, string][] = [
  ['200', 'success'],
  ['201', 'success'],
  ['204', 'success'],
  ['301', 'success'],
  ['404', 'success'],
  ['500', 'failure'],
  ['503', 'failure'],
];
const SHARE = [
  0, 0, 0, 0, 0.02, 0.1, 0.3, 0.5, 0.62, 0.7, 0.85, 0.93, 0.96, 0.98, 0.99, 0.995, 0.998, 1, 1, 1,
  1, 1, 1, 1, 1,
];

export interface BodyShape {
  namespace: string;
  deployment: string;
  /** outbound destinations: [namespace, deployment] */
  destinations: [string, string][];
}

export const DESTINATIONS_PER_WORKLOAD = 8;

/** Workload i of n: namespace ns-(i % 10), outbound to the next 8 workloads. */
export function shapeOf(i: number, workloads: number): BodyShape {
  const name = (k: number): [string, string] => [`ns-${k % 10}`, `wl-${k}`];
  const [namespace, deployment] = name(i);
  const destinations: [string, string][] = [];
  for (let d = 1; d <= DESTINATIONS_PER_WORKLOAD; d++) destinations.push(name((i + d) % workloads));
  return { namespace, deployment, destinations };
}

/** Body at scrape number `n` (counters grow with n, so every round changes). */
export function meshBody(shape: BodyShape, n: number): string {
  const out: string[] = [];
  const flows: string[] = ['direction="inbound",tls="true",target_addr="0.0.0.0:8080"'];
  for (const [ns, wl] of shape.destinations) {
    flows.push(
      `direction="outbound",tls="true",authority="${wl}.${ns}.svc.cluster.local:8080",dst_namespace="${ns}",dst_deployment="${wl}",dst_service="${wl}",server_id="${wl}.${ns}.serviceaccount.identity.linkerd.cluster.local"`,
    );
  }
  out.push('# HELP response_total Total count of HTTP responses.', '# TYPE response_total counter');
  flows.forEach((f, fi) => {
    CODES.forEach(([code, cls], ci) => {
      out.push(
        `response_total{${f},status_code="${code}",classification="${cls}"} ${(n + 1) * (fi + 1) * (7 - ci) * 10}`,
      );
    });
  });
  out.push('# HELP response_latency_ms Elapsed times', '# TYPE response_latency_ms histogram');
  flows.forEach((f, fi) => {
    CODES.forEach(([code], ci) => {
      const total = (n + 1) * (fi + 1) * (7 - ci) * 10;
      LINKERD_LE.forEach((le, li) => {
        out.push(
          `response_latency_ms_bucket{${f},status_code="${code}",le="${le}"} ${Math.round(total * (SHARE[li] ?? 1))}`,
        );
      });
      out.push(`response_latency_ms_bucket{${f},status_code="${code}",le="+Inf"} ${total}`);
      out.push(`response_latency_ms_sum{${f},status_code="${code}"} ${total * 37}`);
      out.push(`response_latency_ms_count{${f},status_code="${code}"} ${total}`);
    });
  });
  for (const [metric, type] of [
    ['tcp_open_total', 'counter'],
    ['tcp_close_total', 'counter'],
    ['tcp_read_bytes_total', 'counter'],
    ['tcp_write_bytes_total', 'counter'],
    ['tcp_open_connections', 'gauge'],
  ] as const) {
    out.push(`# TYPE ${metric} ${type}`);
    flows.forEach((f, fi) => {
      const peer = fi === 0 ? 'src' : 'dst';
      out.push(
        `${metric}{${f},peer="${peer}"} ${type === 'gauge' ? 3 : (n + 1) * (fi + 1) * 1000}`,
      );
    });
  }
  out.push('# TYPE process_cpu_seconds_total counter', `process_cpu_seconds_total ${n * 0.1}`);
  for (let i = 0; i < 100; i++)
    out.push(`stack_poll_total{direction="outbound",stack="s${i}",ready="true"} ${n * i}`);
  return `${out.join('\n')}\n`;
}
