import type { SourceKind } from '@meshlens/contract';
import type { ControlPlaneClient } from '@meshlens/cp-client';
import * as telemetry from '@meshlens/telemetry';
import type { BackendHttpOptions, TraceSource } from '@meshlens/telemetry';
import type { Logger } from 'pino';
import { type BffConfig, staticTargets } from './config';
import { type FixtureSource, createFixtureSource } from './fixture/fixtureSource';

export interface SourceChoice {
  kind: SourceKind;
  prometheusUrl: string | undefined;
  /** auth, tenant, TLS, timeout for the Prometheus API (config + flags, see backendConfig.ts) */
  prometheusHttp?: BackendHttpOptions;
  fixtureHostile: boolean;
  fixtureCanary?: boolean;
  fixtureClusters?: boolean;
  fixtureNow: number | undefined;
}

export function buildSource(
  choice: SourceChoice,
  cfg: BffConfig,
  logger: Logger,
  cp: ControlPlaneClient | undefined,
): telemetry.TelemetrySource | FixtureSource {
  switch (choice.kind) {
    case 'fixture': {
      const frozen = choice.fixtureNow;
      return createFixtureSource({
        hostileNames: choice.fixtureHostile,
        canary: choice.fixtureCanary ?? false,
        clusters: choice.fixtureClusters ?? false,
        ...(frozen !== undefined ? { now: () => frozen } : {}),
      });
    }
    case 'prometheus': {
      if (!choice.prometheusUrl)
        throw new Error(
          '--source prometheus needs --prometheus-url (or prometheus.url in the config)',
        );
      const dialect = cfg.prometheus?.dialect;
      const clusterLabel = cfg.prometheus?.clusterLabel;
      return telemetry.createPrometheusSource({
        url: choice.prometheusUrl,
        ...choice.prometheusHttp,
        ...(dialect ? { dialect } : {}),
        ...(clusterLabel ? { clusterLabel } : {}),
        ...(cfg.scrape.interval !== undefined ? { refreshIntervalMs: cfg.scrape.interval } : {}),
      });
    }
    case 'embedded': {
      const s = cfg.scrape;
      const k8s = s.kubernetes;
      return telemetry.createEmbeddedSource({
        targets: staticTargets(cfg),
        ...(cp ? { controlPlane: cp } : {}),
        ...(k8s?.enabled
          ? { kubernetes: k8s.namespaces ? { namespaces: k8s.namespaces } : true }
          : {}),
        ...(s.interval !== undefined ? { scrapeIntervalMs: s.interval } : {}),
        ...(s.timeout !== undefined ? { scrapeTimeoutMs: s.timeout } : {}),
        ...(s.bodyLimitBytes !== undefined ? { maxBodyBytes: s.bodyLimitBytes } : {}),
        ...(s.concurrency !== undefined ? { concurrency: s.concurrency } : {}),
        ...(s.seriesLimit !== undefined ? { maxSeriesPerTarget: s.seriesLimit } : {}),
        ...(s.resourceLimit !== undefined ? { maxAggregatesPerTarget: s.resourceLimit } : {}),
        ...(cfg.retention !== undefined ? { retentionMs: cfg.retention } : {}),
        workers: s.workers ?? 1,
        onError: (component, err) => logger.warn({ component, err }, 'telemetry error'),
      });
    }
  }
}

export interface TraceSourceChoice {
  kind: 'memory' | 'jaeger' | 'tempo';
  url: string | undefined;
  http: BackendHttpOptions;
}

/** Jaeger or Tempo; undefined for memory (the app wraps its own trace store). */
export function buildTraceSource(choice: TraceSourceChoice): TraceSource | undefined {
  if (choice.kind === 'memory') return undefined;
  if (!choice.url)
    throw new Error(
      `--traces-source ${choice.kind} needs --traces-url (or traces.url in the config)`,
    );
  return choice.kind === 'jaeger'
    ? telemetry.createJaegerSource({ url: choice.url, ...choice.http })
    : telemetry.createTempoSource({ url: choice.url, ...choice.http });
}
