import type { Sample } from '@meshlens/prom';
import type { Draft } from './foldBuilder';

/** What one raw sample contributes to, decided by a dialect. */
export type RouteMetric =
  | 'success'
  | 'failure'
  | 'bucket'
  | 'tcpOpen'
  | 'tcpClose'
  | 'tcpRead'
  | 'tcpWrite'
  /** current value added to the open-connections gauge */
  | 'openGauge'
  /** current value subtracted from it (Istio: closed total) */
  | 'openGaugeMinus';

export interface Route {
  drafts: Draft[];
  metric: RouteMetric;
  /** undefined when the mTLS state of the sample is not known */
  tls?: boolean;
  le?: number;
  clientId?: string;
  serverId?: string;
}

/** A dialect maps a sample to where it counts (or nothing). */
export type Router = (sample: Sample) => Route | undefined;

export const LINKERD_FAMILIES = new Set([
  'response_total',
  'response_latency_ms',
  'tcp_open_total',
  'tcp_close_total',
  'tcp_open_connections',
  'tcp_read_bytes_total',
  'tcp_write_bytes_total',
]);

export const ISTIO_FAMILIES = new Set([
  'istio_requests_total',
  'istio_request_duration_milliseconds',
  'istio_tcp_connections_opened_total',
  'istio_tcp_connections_closed_total',
  'istio_tcp_sent_bytes_total',
  'istio_tcp_received_bytes_total',
]);

/** Family names as parsed: OpenMetrics strips `_total` from counter family names. */
export function isRelevantFamily(name: string): boolean {
  return (
    LINKERD_FAMILIES.has(name) ||
    ISTIO_FAMILIES.has(name) ||
    LINKERD_FAMILIES.has(`${name}_total`) ||
    ISTIO_FAMILIES.has(`${name}_total`)
  );
}
