import * as z from 'zod';
import {
  generatedAtSchema,
  resourceKindSchema,
  resourceRefSchema,
  timeRangeSchema,
} from './common';

/** Latency quantiles in milliseconds; null when there were no requests in the window. */
export const latencySchema = z.object({
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});
export type Latency = z.infer<typeof latencySchema>;

/** Request counts over the window (`increase`, may be fractional because of extrapolation). */
export const requestCountsSchema = z.object({ success: z.number(), failure: z.number() });
export type RequestCounts = z.infer<typeof requestCountsSchema>;

export const tcpSchema = z.object({
  openConnections: z.number(),
  readBytesPerSec: z.number(),
  writeBytesPerSec: z.number(),
});
export type TcpStats = z.infer<typeof tcpSchema>;

/** The golden signals shared by stat rows, edges and topology nodes/edges. */
export const goldenSignalsShape = {
  /** 0..1, null without traffic */
  successRate: z.number().min(0).max(1).nullable(),
  rps: z.number(),
  latencyMs: latencySchema,
  requests: requestCountsSchema,
  tcp: tcpSchema,
};
export const goldenSignalsSchema = z.object(goldenSignalsShape);
export type GoldenSignals = z.infer<typeof goldenSignalsSchema>;

/** Meshed instances: `ready` of `total` instances run a proxy (`ready` absent when unknown). */
export const meshedSchema = z.object({
  ready: z.number().int().nonnegative().optional(),
  total: z.number().int().nonnegative(),
});
export type Meshed = z.infer<typeof meshedSchema>;

/**
 * Labels of a resource as its metrics carry them (absent when they do not): the app and version a
 * workload runs (meshlens/Linkerd target labels `app`/`service` and `version`, Istio
 * `source_/destination_app` and `_version`) and the cluster it reports from (`cluster`, Istio
 * `source_/destination_cluster`). The SPA folds versions into apps and boxes clusters with them.
 */
export const resourceLabelsShape = {
  app: z.string().optional(),
  version: z.string().optional(),
  cluster: z.string().optional(),
};

export const resourceLabelsSchema = z.object(resourceLabelsShape);
export type ResourceLabels = z.infer<typeof resourceLabelsSchema>;

export const statRowSchema = z.object({
  ...resourceRefSchema.shape,
  ...goldenSignalsShape,
  meshed: meshedSchema,
  /** number of instances (pods/targets) that reported data in the window */
  instances: z.number().int().nonnegative(),
  ...resourceLabelsShape,
});
export type StatRow = z.infer<typeof statRowSchema>;

export const statResponseSchema = z.object({
  generatedAt: generatedAtSchema,
  window: timeRangeSchema,
  kind: resourceKindSchema,
  rows: z.array(statRowSchema),
});
export type StatResponse = z.infer<typeof statResponseSchema>;

export const MTLS_STATES = ['mtls', 'plaintext', 'mixed', 'unknown'] as const;
export const mtlsSchema = z.enum(MTLS_STATES);
export type MtlsState = z.infer<typeof mtlsSchema>;

export const edgeSchema = z.object({
  source: resourceRefSchema,
  destination: resourceRefSchema,
  ...goldenSignalsShape,
  mtls: mtlsSchema,
  /** identity the client presented (e.g. spiffe://cluster.local/ns/shop/sa/web), null when unknown/plaintext */
  clientId: z.string().nullable(),
  serverId: z.string().nullable(),
});
export type Edge = z.infer<typeof edgeSchema>;

export const edgesResponseSchema = z.object({
  generatedAt: generatedAtSchema,
  window: timeRangeSchema,
  kind: resourceKindSchema,
  edges: z.array(edgeSchema),
});
export type EdgesResponse = z.infer<typeof edgesResponseSchema>;

/**
 * A topology node: a stat row plus its id (see `resourceId`). No health: the viewer colours it
 * with the thresholds it chose (`classifyHealth`), so the server never guesses them.
 */
export const topologyNodeSchema = statRowSchema.extend({ id: z.string() });
export type TopologyNode = z.infer<typeof topologyNodeSchema>;

/**
 * A topology edge refers to nodes by id; `id` is `edgeId(source, destination)`. Identities are
 * left to `/edges` (the graph never shows them).
 */
export const topologyEdgeSchema = z.object({
  id: z.string(),
  source: z.string(),
  target: z.string(),
  ...goldenSignalsShape,
  mtls: mtlsSchema,
});
export type TopologyEdge = z.infer<typeof topologyEdgeSchema>;

export const topologyResponseSchema = z.object({
  generatedAt: generatedAtSchema,
  window: timeRangeSchema,
  kind: resourceKindSchema,
  nodes: z.array(topologyNodeSchema),
  edges: z.array(topologyEdgeSchema),
});
export type TopologyResponse = z.infer<typeof topologyResponseSchema>;

/** One step of a time series; values describe the `step` ending at `t` (ms). */
export const timeseriesPointSchema = z.object({
  t: z.number(),
  successRate: z.number().min(0).max(1).nullable(),
  rps: z.number(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});
export type TimeseriesPoint = z.infer<typeof timeseriesPointSchema>;

export const timeseriesResponseSchema = z.object({
  generatedAt: generatedAtSchema,
  window: timeRangeSchema,
  resource: resourceRefSchema,
  /** step between points in ms */
  step: z.number().positive(),
  points: z.array(timeseriesPointSchema),
});
export type TimeseriesResponse = z.infer<typeof timeseriesResponseSchema>;

export const exemplarRefSchema = z.object({
  traceId: z.string(),
  /** observed latency in ms */
  value: z.number(),
  timestampMs: z.number().optional(),
});
export type ExemplarRef = z.infer<typeof exemplarRefSchema>;

/** JSON has no Infinity: the last bucket's upper bound is the string '+Inf'. */
export const bucketBoundSchema = z.union([z.number(), z.literal('+Inf')]);
export type BucketBound = z.infer<typeof bucketBoundSchema>;

export const histogramBucketSchema = z.object({
  le: bucketBoundSchema,
  /** cumulative count of requests with latency <= le over the window (Prometheus style) */
  count: z.number(),
  exemplar: exemplarRefSchema.optional(),
});
export type HistogramBucket = z.infer<typeof histogramBucketSchema>;

export const histogramResponseSchema = z.object({
  generatedAt: generatedAtSchema,
  window: timeRangeSchema,
  resource: resourceRefSchema,
  buckets: z.array(histogramBucketSchema),
});
export type HistogramResponse = z.infer<typeof histogramResponseSchema>;

export const namespaceSummarySchema = z.object({
  name: z.string(),
  /** workloads seen in this namespace */
  workloads: z.number().int().nonnegative(),
});
export type NamespaceSummary = z.infer<typeof namespaceSummarySchema>;

export const namespacesResponseSchema = z.object({
  generatedAt: generatedAtSchema,
  namespaces: z.array(namespaceSummarySchema),
});
export type NamespacesResponse = z.infer<typeof namespacesResponseSchema>;

export const TARGET_HEALTH = ['up', 'down', 'unknown'] as const;
export const targetHealthSchema = z.enum(TARGET_HEALTH);
export type TargetHealth = z.infer<typeof targetHealthSchema>;

export const DIALECTS = ['meshlens', 'linkerd', 'istio', 'unknown'] as const;
export const dialectSchema = z.enum(DIALECTS);
export type Dialect = z.infer<typeof dialectSchema>;

export const DISCOVERY_KINDS = ['static', 'control-plane', 'kubernetes', 'prometheus'] as const;
export const discoverySchema = z.enum(DISCOVERY_KINDS);
export type Discovery = z.infer<typeof discoverySchema>;

export const targetSchema = z.object({
  url: z.string(),
  labels: z.record(z.string(), z.string()),
  health: targetHealthSchema,
  lastError: z.string().nullable(),
  /** epoch ms of the last scrape attempt, null before the first */
  lastScrapeMs: z.number().nullable(),
  durationMs: z.number().nullable(),
  /** series in the last successful scrape */
  series: z.number().int().nonnegative(),
  dialect: dialectSchema,
  discovery: discoverySchema.optional(),
  /**
   * Why a per-target limit (series per scrape, resources and edges per target) holds back some
   * or all of this target's data; null or absent when none applies.
   */
  capped: z.string().nullable().optional(),
});
export type Target = z.infer<typeof targetSchema>;

export const targetsResponseSchema = z.object({
  generatedAt: generatedAtSchema,
  targets: z.array(targetSchema),
});
export type TargetsResponse = z.infer<typeof targetsResponseSchema>;

export const SOURCE_KINDS = ['embedded', 'prometheus', 'fixture'] as const;
export const sourceKindSchema = z.enum(SOURCE_KINDS);
export type SourceKind = z.infer<typeof sourceKindSchema>;

/** What a telemetry source reports about itself (TelemetrySource.status()). */
export const sourceStatusSchema = z.object({
  kind: sourceKindSchema,
  healthy: z.boolean(),
  /** epoch ms when new data last came in, null before the first tick */
  lastTickMs: z.number().nullable(),
  lastError: z.string().nullable(),
  /** expected time between ticks (scrape interval), used to call data stale */
  tickIntervalMs: z.number().positive().optional(),
  targets: z
    .object({
      up: z.number().int().nonnegative(),
      down: z.number().int().nonnegative(),
      total: z.number().int().nonnegative(),
    })
    .optional(),
});
export type SourceStatus = z.infer<typeof sourceStatusSchema>;

export const statusResponseSchema = z.object({
  generatedAt: generatedAtSchema,
  /** meshlens BFF version */
  version: z.string(),
  source: sourceStatusSchema,
  /** no tick for more than 3 intervals, or the source is unhealthy */
  stale: z.boolean(),
  errors: z.array(z.object({ component: z.string(), message: z.string() })),
  traces: z.object({
    traces: z.number().int().nonnegative(),
    spans: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
  }),
});
export type StatusResponse = z.infer<typeof statusResponseSchema>;

/**
 * How far back a source can answer (`GET /api/v1/history`): the replay slider's bounds. `null`
 * before the first sample. `stepMs` is the resolution worth stepping by (the scrape interval).
 */
export const historyResponseSchema = z.object({
  generatedAt: generatedAtSchema,
  earliestMs: z.number().nullable(),
  latestMs: z.number().nullable(),
  stepMs: z.number().positive(),
});
export type HistoryResponse = z.infer<typeof historyResponseSchema>;

/** Golden signals of one HTTPRoute rule of a service (`GET /api/v1/routes`). */
export const routeRowSchema = z.object({
  /** HTTPRoute name; `default` for requests that matched no route */
  route: z.string(),
  /** rule index within the route ('' for `default`) */
  rule: z.string(),
  ...goldenSignalsShape,
});
export type RouteRow = z.infer<typeof routeRowSchema>;

export const routesResponseSchema = z.object({
  generatedAt: generatedAtSchema,
  window: timeRangeSchema,
  service: z.object({ namespace: z.string(), name: z.string() }),
  routes: z.array(routeRowSchema),
});
export type RoutesResponse = z.infer<typeof routesResponseSchema>;
