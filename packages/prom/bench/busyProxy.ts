// A scrape shaped like a busy Linkerd-style proxy: response_total and response_latency_ms
// histograms (Linkerd's buckets) for many peers and status codes, about 2,000 series.

const LINKERD_BUCKETS = [
  '1',
  '2',
  '3',
  '4',
  '5',
  '10',
  '20',
  '30',
  '40',
  '50',
  '100',
  '200',
  '300',
  '400',
  '500',
  '1000',
  '2000',
  '3000',
  '4000',
  '5000',
  '10000',
  '20000',
  '30000',
  '40000',
  '50000',
  '+Inf',
];

function peerLabels(i: number): string {
  const svc = `svc-${i % 12}`;
  const ns = `ns-${i % 3}`;
  return (
    `direction="outbound",authority="${svc}.${ns}.svc.cluster.local:8080",` +
    `target_addr="10.42.${i % 7}.${i % 250}:8080",target_ip="10.42.${i % 7}.${i % 250}",target_port="8080",` +
    `tls="true",server_id="${svc}.${ns}.serviceaccount.identity.linkerd.cluster.local",` +
    `dst_control_plane_ns="linkerd",dst_deployment="${svc}",dst_namespace="${ns}",` +
    `dst_pod="${svc}-7c9f8d${i}-x2k9q",dst_pod_template_hash="7c9f8d${i}",dst_service="${svc}",` +
    `dst_serviceaccount="${svc}"`
  );
}

export function busyProxyScrape(peers = 70): string {
  const out: string[] = [
    '# HELP response_total Total count of HTTP responses.',
    '# TYPE response_total counter',
  ];
  for (let i = 0; i < peers; i++) {
    const code = i % 5 === 0 ? '500' : '200';
    const cls = code === '500' ? 'failure' : 'success';
    out.push(
      `response_total{${peerLabels(i)},status_code="${code}",classification="${cls}"} ${1000 + i * 37}`,
    );
  }
  out.push(
    "# HELP response_latency_ms Elapsed times between a request's headers being received and its response stream completing",
  );
  out.push('# TYPE response_latency_ms histogram');
  for (let i = 0; i < peers; i++) {
    const labels = `${peerLabels(i)},status_code="200"`;
    let cumulative = 0;
    for (const le of LINKERD_BUCKETS) {
      cumulative += (i * 7 + le.length * 13) % 50;
      out.push(`response_latency_ms_bucket{${labels},le="${le}"} ${cumulative}`);
    }
    out.push(`response_latency_ms_sum{${labels}} ${cumulative * 12.5}`);
    out.push(`response_latency_ms_count{${labels}} ${cumulative}`);
  }
  return `${out.join('\n')}\n`;
}
