import type { Sample } from '@meshlens/prom';
import {
  workloadLabels,
  type EdgeDestination,
  type ResourceName,
  type TargetLabels,
} from '../model';
import { parseLe, type Draft, type FoldBuilder } from './foldBuilder';
import { targetIdentity } from './linkerd';
import type { Route, RouteMetric, Router } from './route';

const UNKNOWN = 'unknown';

function known(v: string | undefined): v is string {
  return v !== undefined && v !== '' && v !== UNKNOWN;
}

/** Envoy answers 0 when no response was sent (reset, timeout); 5xx are failures as in Kiali. */
export function isIstioFailure(responseCode: string | undefined): boolean {
  return responseCode === '0' || (responseCode?.startsWith('5') ?? false);
}

function metricOf(sample: Sample): { metric: RouteMetric; le?: number } | undefined {
  const { name, labels } = sample;
  switch (name) {
    case 'istio_requests_total':
      return { metric: isIstioFailure(labels.response_code) ? 'failure' : 'success' };
    case 'istio_request_duration_milliseconds_bucket': {
      const le = parseLe(labels.le);
      return le === undefined ? undefined : { metric: 'bucket', le };
    }
    case 'istio_tcp_connections_opened_total':
      return { metric: 'tcpOpen' };
    case 'istio_tcp_connections_closed_total':
      return { metric: 'tcpClose' };
    case 'istio_tcp_received_bytes_total':
      return { metric: 'tcpRead' };
    case 'istio_tcp_sent_bytes_total':
      return { metric: 'tcpWrite' };
    default:
      return undefined;
  }
}

function tlsOf(labels: Record<string, string>): boolean | undefined {
  const policy = labels.connection_security_policy;
  if (policy === 'mutual_tls') return true;
  if (policy === 'none') return false;
  // reporter=source does not know the policy; peer principals are only set under mTLS.
  if (
    labels.source_principal?.startsWith('spiffe://') &&
    labels.destination_principal?.startsWith('spiffe://')
  ) {
    return true;
  }
  return undefined;
}

function destinationOf(labels: Record<string, string>): EdgeDestination | undefined {
  if (known(labels.destination_workload) && known(labels.destination_workload_namespace)) {
    return {
      kind: 'workload',
      namespace: labels.destination_workload_namespace,
      name: labels.destination_workload,
    };
  }
  const svc = serviceOf(labels);
  return svc ? { kind: 'service', ...svc } : undefined;
}

function serviceOf(labels: Record<string, string>): ResourceName | undefined {
  if (known(labels.destination_service_name) && known(labels.destination_service_namespace)) {
    return {
      namespace: labels.destination_service_namespace,
      name: labels.destination_service_name,
    };
  }
  // destination_service is the FQDN (server.default.svc.cluster.local)
  const [name, namespace] = (labels.destination_service ?? '').split('.');
  return known(name) && known(namespace) ? { name, namespace } : undefined;
}

/**
 * Istio: reporter=destination series describe the destination workload/service (and the scraped
 * pod); reporter=source series are the edges. Waypoint-reported series are left out so no request
 * is counted twice.
 */
export function istioRouter(target: TargetLabels, builder: FoldBuilder): Router {
  const me = targetIdentity(target);
  const labelled = (d: Draft, side: 'source' | 'destination', l: Record<string, string>) => {
    const found = workloadLabels(l[`${side}_app`], l[`${side}_version`], l[`${side}_cluster`]);
    if (found) d.record.labels = found;
    return d;
  };
  return (sample) => {
    const m = metricOf(sample);
    if (!m) return undefined;
    const { labels } = sample;
    const route: Route = { drafts: [], metric: m.metric };
    if (m.le !== undefined) route.le = m.le;
    const tls = tlsOf(labels);
    if (tls !== undefined) route.tls = tls;
    if (known(labels.source_principal)) route.clientId = labels.source_principal;
    if (known(labels.destination_principal)) route.serverId = labels.destination_principal;
    if (labels.reporter === 'destination') {
      if (known(labels.destination_workload) && known(labels.destination_workload_namespace)) {
        const wl = {
          namespace: labels.destination_workload_namespace,
          name: labels.destination_workload,
        };
        route.drafts.push(labelled(builder.record('workload', wl), 'destination', labels));
        if (me.pod)
          route.drafts.push(
            labelled(
              builder.record('pod', { namespace: wl.namespace, name: me.pod }),
              'destination',
              labels,
            ),
          );
      }
      const svc = serviceOf(labels);
      if (svc) {
        // a service has no app or version of its own, only the cluster it runs in
        const d = builder.record('service', svc);
        const cluster = workloadLabels(undefined, undefined, labels.destination_cluster);
        if (cluster) d.record.labels = cluster;
        route.drafts.push(d);
      }
      return route.drafts.length > 0 ? route : undefined;
    }
    if (labels.reporter !== 'source') return undefined;
    if (!known(labels.source_workload) || !known(labels.source_workload_namespace))
      return undefined;
    const dst = destinationOf(labels);
    if (!dst) return undefined;
    const src = { namespace: labels.source_workload_namespace, name: labels.source_workload };
    route.drafts.push(labelled(builder.record('edge', src, dst), 'source', labels));
    return route;
  };
}
