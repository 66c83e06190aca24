import type {
  EdgesQuery,
  EdgesResponse,
  HistogramQuery,
  HistogramResponse,
  HistoryResponse,
  NamespacesResponse,
  RoutesQuery,
  RoutesResponse,
  SourceStatus,
  StatQuery,
  StatResponse,
  TargetsResponse,
  TimeseriesQuery,
  TimeseriesResponse,
  TopologyQuery,
  TopologyResponse,
} from '@meshlens/contract';

/**
 * One interface, several implementations (embedded scraper, Prometheus, fixture): the BFF asks
 * the same questions of whichever is configured. Queries are already validated by the BFF
 * (`@meshlens/contract` query schemas); `resolveTimeRange` turns their window/from/to into ms.
 */
export interface TelemetrySource {
  readonly kind: 'embedded' | 'prometheus' | 'fixture';
  start(): Promise<void>;
  stop(): Promise<void>;
  stat(q: StatQuery): Promise<StatResponse>;
  edges(q: EdgesQuery): Promise<EdgesResponse>;
  topology(q: TopologyQuery): Promise<TopologyResponse>;
  timeseries(q: TimeseriesQuery): Promise<TimeseriesResponse>;
  /** latency buckets (+exemplar trace ids) of one resource */
  histogram(q: HistogramQuery): Promise<HistogramResponse>;
  namespaces(): Promise<NamespacesResponse>;
  /** earliest and latest instant the source can answer for (replay bounds) */
  history(): Promise<HistoryResponse>;
  /** per-route signals of one service (HTTPRoute name + rule; `default` when none matched) */
  routes(q: RoutesQuery): Promise<RoutesResponse>;
  /** scrape targets and health (prometheus source: from /api/v1/targets) */
  targets(): Promise<TargetsResponse>;
  /** kind, healthy, last tick time, last error */
  status(): SourceStatus;
  /** fires when new data is in (once per scrape round); returns an unsubscribe function */
  onTick(listener: () => void): () => void;
}
