export * from './source';
export {
  createEmbeddedSource,
  type EmbeddedSource,
  type EmbeddedSourceOptions,
} from './embeddedSource';
export { NotFoundError, UpstreamError } from './errors';
export type { StaticTarget } from './discovery/staticDiscovery';
export type { EndpointLister } from './discovery/controlPlaneDiscovery';
export { podTargets, type KubernetesDiscoveryOptions } from './discovery/kubernetesDiscovery';
export type { ScrapeTarget, TargetDiscovery } from './scrape/targets';
export type { RoundSummary } from './scrape/scrapeLoop';
export {
  createPrometheusSource,
  type PrometheusSource,
  type PrometheusSourceOptions,
} from './prometheus/prometheusSource';
export { promString } from './prometheus/promql';
export { buildTopology, emptyRow, type TopologyInput } from './topology/buildTopology';
