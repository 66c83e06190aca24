/*
 * The neutral model every dialect folds into (docs/architecture.md, data flow step 3). A scrape of one target becomes a
 * handful of FoldedRecords: per-scrape *increments* of counters (reset-corrected per raw series,
 * the way Prometheus' increase() treats each series) plus current gauge values, keyed by the
 * aggregate they feed. The store sums them into reset-free cumulative series per aggregate.
 */

/** Views an aggregate can answer for. Edges are source -> destination. */
export type AggregateView = 'workload' | 'pod' | 'service' | 'edge' | 'route';

/** The HTTPRoute and rule a `route` aggregate counts (its resource is the service routed to). */
export interface RouteRef {
  name: string;
  rule: string;
}

export interface ResourceName {
  namespace: string;
  name: string;
}

/** Destination of an edge: a workload when known, otherwise the service the client addressed. */
export interface EdgeDestination extends ResourceName {
  kind: 'workload' | 'service';
}

/** Counter columns of an aggregate row, in order; latency buckets follow them. */
export const COL = {
  success: 0,
  failure: 1,
  tlsRequests: 2,
  plainRequests: 3,
  tcpOpenTotal: 4,
  tcpCloseTotal: 5,
  tcpReadBytes: 6,
  tcpWriteBytes: 7,
} as const;
export const FIXED_COUNTER_COLUMNS = 8;
/** Gauge column (summed current values, not an increment), stored after the buckets. */
export const GAUGE_COLUMNS = 1;

export interface FoldedExemplar {
  le: number;
  traceId: string;
  value: number;
  timestampMs?: number;
}

export interface FoldedRecord {
  view: AggregateView;
  /** the measured resource (workload/pod/service views) or the edge source */
  resource: ResourceName;
  /** only for edges */
  destination?: EdgeDestination;
  /** only for routes */
  route?: RouteRef;
  /** latency bucket upper bounds (ascending, last is +Infinity) - empty without a histogram */
  les: number[];
  /** FIXED_COUNTER_COLUMNS increments followed by one increment per bucket */
  deltas: number[];
  /**
   * Sum of the raw counter values, same layout. Seeds a new aggregate so its first stored value is
   * what Prometheus would see (its zero-point extrapolation depends on the absolute value).
   */
  absolute: number[];
  openConnections: number;
  exemplars: FoldedExemplar[];
  clientId?: string;
  serverId?: string;
  /**
   * app/version/cluster of the measured resource (workload views) or of the edge source, from the
   * labels of the series or the target; the store keeps the latest seen.
   */
  labels?: WorkloadLabels;
}

export interface WorkloadLabels {
  app?: string;
  version?: string;
  cluster?: string;
}

/** Only the labels that have a value (empty strings and Istio's `unknown` are no value). */
export function workloadLabels(
  app: string | undefined,
  version: string | undefined,
  cluster: string | undefined,
): WorkloadLabels | undefined {
  const out: WorkloadLabels = {};
  const ok = (v: string | undefined): v is string => v !== undefined && v !== '' && v !== 'unknown';
  if (ok(app)) out.app = app;
  if (ok(version)) out.version = version;
  if (ok(cluster)) out.cluster = cluster;
  return Object.keys(out).length > 0 ? out : undefined;
}

export type DialectName = 'meshlens' | 'linkerd' | 'istio' | 'unknown';

export interface FoldResult {
  dialect: DialectName;
  /** series in the scrape (all families, before filtering) */
  series: number;
  records: FoldedRecord[];
  /** set when the scrape was refused by a per-target limit: why, for the targets page */
  capped?: string;
}

/** Labels attached by whoever scrapes (Prometheus target labels). */
export type TargetLabels = Readonly<Record<string, string>>;

const SEP = '\u0000';

/**
 * Map key of an aggregate. Parts are joined with NUL; the rare name that contains a NUL falls
 * back to JSON so hostile names can never collide (this runs for every sample at ingest).
 */
export function aggregateKey(
  r: Pick<FoldedRecord, 'view' | 'resource' | 'destination' | 'route'>,
): string {
  // a route is keyed like an edge to a pseudo-destination: same code path, no collision (view differs)
  const d: { kind: string; namespace: string; name: string } | undefined = r.route
    ? { kind: 'route', namespace: r.route.name, name: r.route.rule }
    : r.destination;
  const key = d
    ? r.view +
      SEP +
      r.resource.namespace +
      SEP +
      r.resource.name +
      SEP +
      d.kind +
      SEP +
      d.namespace +
      SEP +
      d.name
    : r.view + SEP + r.resource.namespace + SEP + r.resource.name;
  const clean =
    !r.resource.namespace.includes(SEP) &&
    !r.resource.name.includes(SEP) &&
    (!d || (!d.namespace.includes(SEP) && !d.name.includes(SEP)));
  if (clean) return key;
  const list = [r.view, r.resource.namespace, r.resource.name];
  if (d) list.push(d.kind, d.namespace, d.name);
  return `J${JSON.stringify(list)}`;
}
