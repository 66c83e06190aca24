import {
  type EdgesQuery,
  type HistogramQuery,
  type StatQuery,
  type TimeseriesQuery,
  type TopologyQuery,
  type SourceStatus,
  type TargetsResponse,
} from '@meshlens/contract';
import {
  createControlPlaneDiscovery,
  type EndpointLister,
} from './discovery/controlPlaneDiscovery';
import {
  createKubernetesDiscovery,
  type KubernetesDiscoveryOptions,
} from './discovery/kubernetesDiscovery';
import { createStaticDiscovery, type StaticTarget } from './discovery/staticDiscovery';
import { QueryEngine } from './query/engine';
import { createInlineIngester, type Ingester } from './scrape/ingester';
import { ScrapeLoop, type RoundSummary } from './scrape/scrapeLoop';
import type { TargetDiscovery } from './scrape/targets';
import { createWorkerIngester } from './scrape/workerPool';
import type { WorkerMemory } from './scrape/workerProtocol';
import type { TelemetrySource } from './source';
import { TelemetryStore } from './store/store';
import { decodeStore, encodeStore } from './store/snapshot';
import { NotFoundError } from './errors';

export interface EmbeddedSourceOptions {
  /** static targets (URL + target labels such as namespace, deployment, pod) */
  targets?: StaticTarget[];
  /** the control plane registry (a @meshlens/cp-client ControlPlaneClient works) */
  controlPlane?: EndpointLister;
  /** discover pods through the Kubernetes API (true: default kubeconfig / in-cluster) */
  kubernetes?: boolean | KubernetesDiscoveryOptions;
  /** more discoveries (tests, other registries) */
  discoveries?: TargetDiscovery[];
  /** default 5000 */
  scrapeIntervalMs?: number;
  /** default min(10 s, 80 % of the interval) */
  scrapeTimeoutMs?: number;
  /** decompressed body cap, default 10 MB */
  maxBodyBytes?: number;
  /** scrapes in flight at once, default 64 */
  concurrency?: number;
  /** default 1 h */
  retentionMs?: number;
  /** a target whose scrape has more series is capped (scrape dropped); default 50,000 */
  maxSeriesPerTarget?: number;
  /** resources and edges one target may feed; default 1,000 (a churning label is capped) */
  maxAggregatesPerTarget?: number;
  /** parse in this many worker threads; 0 parses on the main thread (default 0, the BFF sets 1-2) */
  workers?: number;
  now?: () => number;
  onError?: (component: string, err: unknown) => void;
  onRound?: (round: RoundSummary) => void;
}

/** Scrapes proxies itself, folds at ingest and answers from its own windowed store. */
export interface EmbeddedSource extends TelemetrySource {
  readonly kind: 'embedded';
  /** one scrape round now (tests) */
  scrapeNow(): Promise<RoundSummary>;
  readonly store: TelemetryStore;
  readonly engine: QueryEngine;
  /** the committed store as chunks of a snapshot (see store/snapshot.ts) */
  snapshot(): Generator<Buffer>;
  /** loads a snapshot before start(); throws SnapshotFormatError and changes nothing when bad */
  restore(bytes: Buffer): void;
  /** each parse worker's own heap, for a memory breakdown (empty when parsing inline) */
  workerMemory(): Promise<WorkerMemory[]>;
}

export function createEmbeddedSource(opts: EmbeddedSourceOptions = {}): EmbeddedSource {
  const intervalMs = opts.scrapeIntervalMs ?? 5_000;
  const now = opts.now ?? Date.now;
  const store = new TelemetryStore({ retentionMs: opts.retentionMs ?? 3_600_000, intervalMs });
  const engine = new QueryEngine(store, { intervalMs, now });
  const discoveries: TargetDiscovery[] = [...(opts.discoveries ?? [])];
  if (opts.targets?.length) discoveries.push(createStaticDiscovery(opts.targets));
  if (opts.controlPlane) discoveries.push(createControlPlaneDiscovery(opts.controlPlane));
  if (opts.kubernetes)
    discoveries.push(createKubernetesDiscovery(opts.kubernetes === true ? {} : opts.kubernetes));
  const limits = opts.maxSeriesPerTarget ? { maxSeries: opts.maxSeriesPerTarget } : {};
  const ingester: Ingester = opts.workers
    ? createWorkerIngester(opts.workers, limits)
    : createInlineIngester(limits);
  const listeners = new Set<() => void>();
  let lastTickMs: number | null = null;
  let lastError: string | null = null;
  const loop = new ScrapeLoop({
    store,
    ingester,
    discoveries,
    intervalMs,
    timeoutMs: opts.scrapeTimeoutMs ?? Math.min(10_000, Math.floor(intervalMs * 0.8)),
    maxBodyBytes: opts.maxBodyBytes ?? 10 * 1024 * 1024,
    concurrency: opts.concurrency ?? 64,
    ...(opts.maxAggregatesPerTarget ? { maxAggregatesPerTarget: opts.maxAggregatesPerTarget } : {}),
    now,
    onRoundDone: (round) => {
      lastTickMs = now();
      opts.onRound?.(round);
      for (const l of listeners) l();
    },
    onError: (component, err) => {
      lastError = `${component}: ${err instanceof Error ? err.message : String(err)}`;
      opts.onError?.(component, err);
    },
  });

  function targetCounts() {
    let up = 0;
    let down = 0;
    for (const s of loop.states.values()) {
      if (s.health === 'up') up++;
      else if (s.health === 'down') down++;
    }
    return { up, down, total: loop.states.size };
  }

  return {
    kind: 'embedded',
    store,
    engine,
    start() {
      loop.start();
      return Promise.resolve();
    },
    async stop() {
      await loop.stop();
      await ingester.close();
      for (const d of discoveries) d.stop?.();
    },
    scrapeNow: () => loop.runRound(),
    snapshot: () => encodeStore(store),
    restore: (bytes) => decodeStore(store, bytes),
    workerMemory: () => ingester.workerMemory(),
    stat: (q: StatQuery) => Promise.resolve(engine.stat(q)),
    edges: (q: EdgesQuery) => Promise.resolve(engine.edges(q)),
    topology: (q: TopologyQuery) => Promise.resolve(engine.topology(q)),
    timeseries(q: TimeseriesQuery) {
      const r = engine.timeseries(q);
      return r
        ? Promise.resolve(r)
        : Promise.reject(new NotFoundError(`no ${q.kind} ${q.namespace}/${q.name}`));
    },
    histogram(q: HistogramQuery) {
      const r = engine.histogram(q);
      return r
        ? Promise.resolve(r)
        : Promise.reject(new NotFoundError(`no ${q.kind} ${q.namespace}/${q.name}`));
    },
    namespaces: () => Promise.resolve(engine.namespaces()),
    routes: (q) => Promise.resolve(engine.routes(q)),
    history: () =>
      Promise.resolve({
        generatedAt: now(),
        earliestMs: store.earliestTime ?? null,
        latestMs: store.latestTime ?? null,
        stepMs: intervalMs,
      }),
    targets(): Promise<TargetsResponse> {
      const targets = [...loop.states.values()].map((s) => ({
        url: s.target.url,
        labels: s.target.labels,
        health: s.health,
        lastError: s.lastError,
        lastScrapeMs: s.lastScrapeMs,
        durationMs: s.durationMs,
        series: s.series,
        dialect: s.dialect,
        discovery: s.target.discovery,
        capped: s.capped,
      }));
      targets.sort((a, b) => a.url.localeCompare(b.url));
      return Promise.resolve({ generatedAt: now(), targets });
    },
    status(): SourceStatus {
      const counts = targetCounts();
      const discoveryError = [...loop.discoveryErrors.entries()][0];
      const error = discoveryError
        ? `discovery/${discoveryError[0]}: ${discoveryError[1]}`
        : lastError;
      return {
        kind: 'embedded',
        healthy: discoveryError === undefined && (counts.total === 0 || counts.up > 0),
        lastTickMs,
        lastError: error,
        tickIntervalMs: intervalMs,
        targets: counts,
      };
    },
    onTick(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
