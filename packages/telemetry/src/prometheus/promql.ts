import type { ResourceKind, ResourceRef } from '@meshlens/contract';
import { isIstioFailure } from '../dialects/istio';

/** A PromQL string literal: label values are untrusted, so escape everything Go's parser would. */
export function promString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export type Matchers = Readonly<Record<string, string>>;

export function selector(metric: string, matchers: Matchers): string {
  const parts = Object.entries(matchers).map(([k, v]) => `${k}=${promString(v)}`);
  return `${metric}{${parts.join(',')}}`;
}

/** `[90s]`-style range: whole milliseconds so any window is exact. */
export function promRange(ms: number): string {
  return `[${Math.max(1, Math.round(ms))}ms]`;
}

export interface GroupSpec {
  /** labels to sum by, namespace first */
  by: string[];
  /** fixed matchers of the series that describe this kind */
  matchers: Matchers;
  tcpMatchers: Matchers;
  ref(labels: Record<string, string>): ResourceRef | undefined;
  /** matchers selecting one namespace / resource */
  filter(namespace?: string, name?: string): Matchers;
}

export interface EdgeSpec {
  by: string[];
  matchers: Matchers;
  tcpMatchers: Matchers;
  refs(
    labels: Record<string, string>,
  ): { source: ResourceRef; destination: ResourceRef } | undefined;
  /** true: mTLS, false: plaintext, undefined: unknown */
  tls(labels: Record<string, string>): boolean | undefined;
  tlsLabel: string;
}

export interface PromDialect {
  name: 'linkerd' | 'istio';
  requests: string;
  bucket: string;
  classLabel: string;
  isFailure(labels: Record<string, string>): boolean;
  tcpRead: string;
  tcpWrite: string;
  /** PromQL of open connections summed by `by` */
  openConnections(matchers: Matchers, by: string[]): string;
  group(kind: ResourceKind): GroupSpec;
  edge: EdgeSpec;
  /**
   * Labels of the workload series naming its app, version and cluster, in order of preference
   * (the first that has a value wins).
   */
  workloadLabels: { app: string[]; version: string[]; cluster: string[] };
}

function twoLabelGroup(
  kind: ResourceKind,
  nsLabel: string,
  nameLabel: string | undefined,
  matchers: Matchers,
  tcpMatchers: Matchers,
): GroupSpec {
  return {
    by: nameLabel ? [nsLabel, nameLabel] : [nsLabel],
    matchers,
    tcpMatchers,
    ref(l) {
      const namespace = l[nsLabel];
      const name = nameLabel ? l[nameLabel] : namespace;
      return namespace && name ? { namespace, kind, name } : undefined;
    },
    filter(namespace, name) {
      const m: Record<string, string> = {};
      if (namespace !== undefined) m[nsLabel] = namespace;
      if (name !== undefined && nameLabel) m[nameLabel] = name;
      return m;
    },
  };
}

const LINKERD_IN = { direction: 'inbound' };
const LINKERD_IN_TCP = { direction: 'inbound', peer: 'src' };
const LINKERD_OUT = { direction: 'outbound' };
const LINKERD_OUT_TCP = { direction: 'outbound', peer: 'dst' };

export const linkerdDialect: PromDialect = {
  name: 'linkerd',
  requests: 'response_total',
  bucket: 'response_latency_ms_bucket',
  classLabel: 'classification',
  isFailure: (l) => l.classification === 'failure',
  tcpRead: 'tcp_read_bytes_total',
  tcpWrite: 'tcp_write_bytes_total',
  openConnections: (m, by) => `sum by (${by.join(',')}) (${selector('tcp_open_connections', m)})`,
  group(kind) {
    switch (kind) {
      case 'pod':
        return twoLabelGroup(kind, 'namespace', 'pod', LINKERD_IN, LINKERD_IN_TCP);
      case 'namespace':
        return twoLabelGroup(kind, 'namespace', undefined, LINKERD_IN, LINKERD_IN_TCP);
      case 'service':
        return twoLabelGroup(kind, 'dst_namespace', 'dst_service', LINKERD_OUT, LINKERD_OUT_TCP);
      default:
        return twoLabelGroup(kind, 'namespace', 'deployment', LINKERD_IN, LINKERD_IN_TCP);
    }
  },
  edge: {
    by: ['namespace', 'deployment', 'dst_namespace', 'dst_deployment', 'dst_service', 'tls'],
    matchers: LINKERD_OUT,
    tcpMatchers: LINKERD_OUT_TCP,
    tlsLabel: 'tls',
    refs(l) {
      const {
        namespace,
        deployment,
        dst_namespace: dns,
        dst_deployment: dwl,
        dst_service: dsvc,
      } = l;
      if (!namespace || !deployment || !dns) return undefined;
      const source: ResourceRef = { namespace, kind: 'workload', name: deployment };
      if (dwl) return { source, destination: { namespace: dns, kind: 'workload', name: dwl } };
      return dsvc
        ? { source, destination: { namespace: dns, kind: 'service', name: dsvc } }
        : undefined;
    },
    tls: (l) => (l.tls === 'true' ? true : l.tls ? false : undefined),
  },
  // target labels, as Prometheus relabeling copies them from the pod (meshlens: `service`)
  workloadLabels: { app: ['app', 'service'], version: ['version'], cluster: ['cluster'] },
};

const ISTIO_DST = { reporter: 'destination' };
const ISTIO_SRC = { reporter: 'source' };
const known = (v: string | undefined): v is string => !!v && v !== 'unknown';

export const istioDialect: PromDialect = {
  name: 'istio',
  requests: 'istio_requests_total',
  bucket: 'istio_request_duration_milliseconds_bucket',
  classLabel: 'response_code',
  isFailure: (l) => isIstioFailure(l.response_code),
  tcpRead: 'istio_tcp_received_bytes_total',
  tcpWrite: 'istio_tcp_sent_bytes_total',
  openConnections: (m, by) =>
    `sum by (${by.join(',')}) (${selector('istio_tcp_connections_opened_total', m)}) - ` +
    `sum by (${by.join(',')}) (${selector('istio_tcp_connections_closed_total', m)})`,
  group(kind) {
    switch (kind) {
      case 'pod':
        return twoLabelGroup(kind, 'namespace', 'pod', ISTIO_DST, ISTIO_DST);
      case 'namespace':
        return twoLabelGroup(
          kind,
          'destination_workload_namespace',
          undefined,
          ISTIO_DST,
          ISTIO_DST,
        );
      case 'service':
        return twoLabelGroup(
          kind,
          'destination_service_namespace',
          'destination_service_name',
          ISTIO_DST,
          ISTIO_DST,
        );
      default:
        return twoLabelGroup(
          kind,
          'destination_workload_namespace',
          'destination_workload',
          ISTIO_DST,
          ISTIO_DST,
        );
    }
  },
  edge: {
    by: [
      'source_workload_namespace',
      'source_workload',
      'destination_workload_namespace',
      'destination_workload',
      'destination_service_namespace',
      'destination_service_name',
      'connection_security_policy',
    ],
    matchers: ISTIO_SRC,
    tcpMatchers: ISTIO_SRC,
    tlsLabel: 'connection_security_policy',
    refs(l) {
      const srcNs = l.source_workload_namespace;
      const src = l.source_workload;
      if (!known(srcNs) || !known(src)) return undefined;
      const source: ResourceRef = { namespace: srcNs, kind: 'workload', name: src };
      const dNs = l.destination_workload_namespace;
      const dWl = l.destination_workload;
      if (known(dNs) && known(dWl))
        return { source, destination: { namespace: dNs, kind: 'workload', name: dWl } };
      const sNs = l.destination_service_namespace;
      const sName = l.destination_service_name;
      return known(sNs) && known(sName)
        ? { source, destination: { namespace: sNs, kind: 'service', name: sName } }
        : undefined;
    },
    tls: (l) =>
      l.connection_security_policy === 'mutual_tls'
        ? true
        : l.connection_security_policy === 'none'
          ? false
          : undefined,
  },
  workloadLabels: {
    app: ['destination_app'],
    version: ['destination_version'],
    cluster: ['destination_cluster'],
  },
};
