export * from './source';
export {
  createEmbeddedSource,
  type EmbeddedSource,
  type EmbeddedSourceOptions,
} from './embeddedSource';
export { NotFoundError, UpstreamError } from './errors';
export { SnapshotFormatError } from './store/snapshot';
export type { StaticTarget } from './discovery/staticDiscovery';
export type { EndpointLister } from './discovery/controlPlaneDiscovery';
export { podTargets, type KubernetesDiscoveryOptions } from './discovery/kubernetesDiscovery';
export type { ScrapeTarget, TargetDiscovery } from './scrape/targets';
export type { RoundSummary } from './scrape/scrapeLoop';
export { loadWorkerScript } from './scrape/workerScript';
export type { WorkerMemory } from './scrape/workerProtocol';
export {
  createPrometheusSource,
  type PrometheusSource,
  type PrometheusSourceOptions,
} from './prometheus/prometheusSource';
export { promString } from './prometheus/promql';
export { BackendError, type BackendFailureKind } from './backend/backendError';
export {
  createBackendHttp,
  type BackendHttp,
  type BackendHttpOptions,
  type BackendTlsOptions,
} from './backend/backendHttp';
export type {
  FoundTrace,
  TraceSearch,
  TraceSource,
  TraceSourceKind,
  TraceSourceStatus,
} from './traces/traceSource';
export { createJaegerSource, type JaegerSourceOptions } from './traces/jaegerSource';
export { createTempoSource, type TempoSourceOptions } from './traces/tempoSource';
export { buildTraceQL, traceqlString } from './traces/traceql';
export { effectiveStatus, summarizeTrace, keepSummary, newestFirst } from './traces/spans';
export { buildTopology, emptyRow, type TopologyInput } from './topology/buildTopology';
