export { createApp, type AppDeps, type ProxyApp, type BoundAddress } from './app';
export { parseFlags, HELP_TEXT, type ProxyFlags } from './flags';
export { createMetrics, LATENCY_BUCKETS_MS, type ProxyMetrics } from './metrics';
export { FileDiscovery } from './discovery/fileDiscovery';
export type { DiscoverySource, EndpointInfo, DestinationPolicy } from './discovery/discoverySource';
export type { Router, RouteDecision } from './router';
