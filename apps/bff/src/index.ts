export { createApp, type AppDeps, type BffApp } from './app';
export type { TelemetrySource } from '@meshlens/telemetry';
export {
  createFixtureSource,
  type FixtureSource,
  type FixtureSourceOptions,
} from './fixture/fixtureSource';
export { HOSTILE_NAMESPACE, HOSTILE_WORKLOAD } from './fixture/mesh';
export { createTraceStore, type TraceStore, type TraceStoreOptions } from './traces/store';
export { bffConfigSchema, loadConfigFile, type BffConfig } from './config';
