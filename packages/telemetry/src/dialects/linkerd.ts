import type { Sample } from '@meshlens/prom';
import {
  workloadLabels,
  type EdgeDestination,
  type ResourceName,
  type TargetLabels,
  type WorkloadLabels,
} from '../model';
import { parseLe, type Draft, type FoldBuilder } from './foldBuilder';
import type { Route, RouteMetric, Router } from './route';

/** Target labels that name the workload, in the order Linkerd's scrape config attaches them. */
const WORKLOAD_LABELS = ['deployment', 'statefulset', 'daemonset', 'replicaset', 'workload', 'job'];
const DST_WORKLOAD_LABELS = WORKLOAD_LABELS.map((l) => `dst_${l}`);

export interface TargetIdentity {
  namespace: string;
  workload: string;
  pod: string | undefined;
}

export function targetIdentity(labels: TargetLabels): TargetIdentity {
  const namespace = labels.namespace ?? 'unknown';
  const workload =
    firstLabel(labels, WORKLOAD_LABELS) ?? labels.pod ?? labels.instance ?? 'unknown';
  return { namespace, workload, pod: labels.pod };
}

function firstLabel(labels: Readonly<Record<string, string>>, names: string[]): string | undefined {
  for (const n of names) {
    const v = labels[n];
    if (v) return v;
  }
  return undefined;
}

/** `web.shop.svc.cluster.local:8080` -> { name: web, namespace: shop } */
export function serviceFromAuthority(authority: string | undefined): ResourceName | undefined {
  if (!authority) return undefined;
  const host = authority.replace(/:\d+$/, '');
  const parts = host.split('.');
  if (parts.length < 2 || /^\d+$/.test(parts[parts.length - 1] ?? '')) return undefined;
  const [name, namespace] = parts;
  return name && namespace ? { name, namespace } : undefined;
}

function tlsOf(labels: Record<string, string>): boolean | undefined {
  const tls = labels.tls;
  if (tls === 'true') return true;
  if (tls === undefined || tls === '') return undefined;
  return false;
}

const TCP_METRICS: Readonly<Record<string, RouteMetric>> = {
  tcp_open_total: 'tcpOpen',
  tcp_close_total: 'tcpClose',
  tcp_read_bytes_total: 'tcpRead',
  tcp_write_bytes_total: 'tcpWrite',
  tcp_open_connections: 'openGauge',
};

function metricOf(sample: Sample): { metric: RouteMetric; le?: number } | undefined {
  const { name, labels } = sample;
  if (name === 'response_total') {
    return { metric: labels.classification === 'failure' ? 'failure' : 'success' };
  }
  if (name === 'response_latency_ms_bucket') {
    const le = parseLe(labels.le);
    return le === undefined ? undefined : { metric: 'bucket', le };
  }
  const tcp = TCP_METRICS[name];
  if (!tcp) return undefined;
  // inbound: the connection from the remote client; outbound: the one to the destination.
  const wanted = labels.direction === 'inbound' ? 'src' : 'dst';
  if (labels.peer !== undefined && labels.peer !== wanted) return undefined;
  return { metric: tcp };
}

function destinationOf(labels: Record<string, string>): EdgeDestination | undefined {
  const workload = firstLabel(labels, DST_WORKLOAD_LABELS);
  const service = labels.dst_service;
  const namespace = labels.dst_namespace;
  if (namespace && workload) return { kind: 'workload', namespace, name: workload };
  if (namespace && service) return { kind: 'service', namespace, name: service };
  const authority = serviceFromAuthority(labels.authority);
  return authority ? { kind: 'service', ...authority } : undefined;
}

/** The workload labels a Linkerd-style target's own aggregates carry (app/version/cluster). */
function targetWorkloadLabels(target: TargetLabels): WorkloadLabels | undefined {
  // app/version/cluster are target labels (discovery attaches them, as Prometheus relabeling
  // does for Linkerd); meshlens's control plane names the app `service`.
  return workloadLabels(target.app ?? target.service, target.version, target.cluster);
}

/** The scraped pod's own aggregate, undefined for a target without a pod. */
export function ownPodOf(target: TargetLabels): ResourceName | undefined {
  const me = targetIdentity(target);
  return me.pod === undefined ? undefined : { namespace: me.namespace, name: me.pod };
}

/** The scraped pod's own draft in `builder`, as the Linkerd router makes it. */
export function ownPodDraft(target: TargetLabels, builder: FoldBuilder): Draft | undefined {
  const pod = ownPodOf(target);
  if (pod === undefined) return undefined;
  const draft = builder.record('pod', pod);
  const labels = targetWorkloadLabels(target);
  if (labels) draft.record.labels = labels;
  return draft;
}

/**
 * meshlens/Linkerd: inbound series describe the scraped workload (namespace/deployment/pod are
 * target labels); outbound series are edges to dst_* and, through dst_service/authority, services.
 */
export function linkerdRouter(target: TargetLabels, builder: FoldBuilder): Router {
  const me = targetIdentity(target);
  const self: ResourceName = { namespace: me.namespace, name: me.workload };
  const labels = targetWorkloadLabels(target);
  const labelled = (d: Draft): Draft => {
    if (labels) d.record.labels = labels;
    return d;
  };
  let inbound: Draft[] | undefined;
  // consecutive samples mostly share a destination: reuse its drafts
  let lastOutKey: string | undefined;
  let lastOut: Draft[] | undefined;
  const inboundDrafts = (): Draft[] => {
    if (!inbound) {
      inbound = [labelled(builder.record('workload', self))];
      const pod = ownPodDraft(target, builder);
      if (pod) inbound.push(pod);
    }
    return inbound;
  };
  const outboundDrafts = (labels: Record<string, string>): Draft[] | undefined => {
    const key = `${labels.dst_namespace}\u0000${labels.dst_deployment}\u0000${labels.dst_statefulset}\u0000${labels.dst_daemonset}\u0000${labels.dst_service}\u0000${labels.authority}\u0000${labels.route_name}\u0000${labels.route_rule}`;
    if (key === lastOutKey) return lastOut;
    const dst = destinationOf(labels);
    let drafts: Draft[] | undefined;
    if (dst) {
      drafts = [labelled(builder.record('edge', self, dst))];
      const service = labels.dst_service
        ? { namespace: labels.dst_namespace ?? dst.namespace, name: labels.dst_service }
        : serviceFromAuthority(labels.authority);
      if (service) drafts.push(builder.record('service', service));
      // Per-route signals: meshlens proxies label outbound HTTP series with the matched
      // HTTPRoute (`route_name`, `default` when none) and rule index (`route_rule`).
      const routeName = labels.route_name;
      if (service && routeName)
        drafts.push(
          builder.record('route', service, undefined, {
            name: routeName,
            rule: labels.route_rule ?? '',
          }),
        );
    }
    lastOutKey = key;
    lastOut = drafts;
    return drafts;
  };
  return (sample) => {
    const m = metricOf(sample);
    if (!m) return undefined;
    const { labels } = sample;
    let drafts: Draft[] | undefined;
    if (labels.direction === 'inbound') drafts = inboundDrafts();
    else if (labels.direction === 'outbound') drafts = outboundDrafts(labels);
    if (!drafts) return undefined;
    const route: Route = { drafts, metric: m.metric };
    if (m.le !== undefined) route.le = m.le;
    const tls = tlsOf(labels);
    if (tls !== undefined) route.tls = tls;
    if (labels.direction === 'inbound' && labels.client_id) route.clientId = labels.client_id;
    if (labels.direction === 'outbound' && labels.server_id) route.serverId = labels.server_id;
    return route;
  };
}
