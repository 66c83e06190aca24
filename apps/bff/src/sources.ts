import type { SourceKind } from '@meshlens/contract';
import type { ControlPlaneClient } from '@meshlens/cp-client';
import * as telemetry from '@meshlens/telemetry';
import type { Logger } from 'pino';
import { type BffConfig, staticTargets } from './config';
import { type FixtureSource, createFixtureSource } from './fixture/fixtureSource';

export interface SourceChoice {
  kind: SourceKind;
  prometheusUrl: string | undefined;
  fixtureHostile: boolean;
  fixtureNow: number | undefined;
}

/** The prometheus source is written in parallel: found at run time so this file compiles either way. */
type PrometheusFactory = (opts: { url: string; now?: () => number }) => telemetry.TelemetrySource;

function prometheusFactory(): PrometheusFactory | undefined {
  const f: unknown = (telemetry as Record<string, unknown>).createPrometheusSource;
  return typeof f === 'function' ? (f as PrometheusFactory) : undefined;
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
        ...(frozen !== undefined ? { now: () => frozen } : {}),
      });
    }
    case 'prometheus': {
      if (!choice.prometheusUrl)
        throw new Error(
          '--source prometheus needs --prometheus-url (or prometheus.url in the config)',
        );
      const create = prometheusFactory();
      if (!create)
        throw new Error(
          'the prometheus source is not available in this build of @meshlens/telemetry',
        );
      return create({ url: choice.prometheusUrl });
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
        ...(cfg.retention !== undefined ? { retentionMs: cfg.retention } : {}),
        workers: s.workers ?? 1,
        onError: (component, err) => logger.warn({ component, err }, 'telemetry error'),
      });
    }
  }
}
