import { aggregateKey, type FoldedRecord } from '../model';
import type { TelemetryStore } from '../store/store';
import type { Ingester } from './ingester';
import { targetId, type ScrapeTarget, type TargetDiscovery, type TargetState } from './targets';

export interface ScrapeLoopOptions {
  store: TelemetryStore;
  ingester: Ingester;
  discoveries: TargetDiscovery[];
  intervalMs: number;
  timeoutMs: number;
  maxBodyBytes: number;
  concurrency: number;
  /** resources and edges one target may feed (default 1,000): a label churning is capped */
  maxAggregatesPerTarget?: number;
  now?: () => number;
  onRoundDone?: (round: RoundSummary) => void;
  onError?: (component: string, err: unknown) => void;
}

export interface RoundSummary {
  startedMs: number;
  durationMs: number;
  targets: number;
  up: number;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Scrapes every discovered target once per interval with bounded concurrency; a round never
 * overlaps the next (a late round delays the next one instead). One bad target only ever marks
 * itself down.
 */
export class ScrapeLoop {
  readonly states = new Map<string, TargetState>();
  private readonly lastLists = new Map<TargetDiscovery, ScrapeTarget[]>();
  readonly discoveryErrors = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly now: () => number;
  /** per target: aggregate key -> last round it reported it (the per-target cap) */
  private readonly fed = new Map<string, Map<string, number>>();
  lastRound: RoundSummary | undefined;

  constructor(private readonly opts: ScrapeLoopOptions) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs one round now (tests and the first round at start). */
  async runRound(): Promise<RoundSummary> {
    const startedMs = this.now();
    const targets = await this.discover();
    this.opts.store.beginRound(startedMs);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < targets.length) {
        const t = targets[next++];
        if (t) await this.scrapeOne(t);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.opts.concurrency, targets.length) }, worker),
    );
    this.opts.store.commitRound();
    let up = 0;
    for (const t of targets) if (this.states.get(targetId(t))?.health === 'up') up++;
    const summary = { startedMs, durationMs: this.now() - startedMs, targets: targets.length, up };
    this.lastRound = summary;
    this.opts.onRoundDone?.(summary);
    return summary;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = this.now();
      this.running = this.runRound()
        .then(() => undefined)
        .catch((err: unknown) => this.opts.onError?.('scrape', err))
        .finally(() => {
          this.running = undefined;
          this.schedule(Math.max(0, started + this.opts.intervalMs - this.now()));
        });
    }, delayMs);
  }

  private async discover(): Promise<ScrapeTarget[]> {
    const byId = new Map<string, ScrapeTarget>();
    for (const d of this.opts.discoveries) {
      try {
        this.lastLists.set(d, await d.targets());
        this.discoveryErrors.delete(d.kind);
      } catch (err) {
        this.discoveryErrors.set(d.kind, message(err));
        this.opts.onError?.(`discovery/${d.kind}`, err);
      }
      for (const t of this.lastLists.get(d) ?? []) byId.set(targetId(t), t);
    }
    for (const id of this.states.keys()) {
      if (!byId.has(id)) {
        this.states.delete(id);
        this.fed.delete(id);
        this.opts.ingester.forget(id);
      }
    }
    for (const [id, target] of byId) {
      if (!this.states.has(id)) {
        this.states.set(id, {
          target,
          health: 'unknown',
          lastError: null,
          lastScrapeMs: null,
          durationMs: null,
          series: 0,
          dialect: 'unknown',
          capped: null,
        });
      }
    }
    return [...byId.values()];
  }

  private async scrapeOne(target: ScrapeTarget): Promise<void> {
    const id = targetId(target);
    const state = this.states.get(id);
    if (!state) return;
    const started = this.now();
    state.lastScrapeMs = started;
    try {
      // fetched and parsed where the ingester parses (a worker thread): no body crosses threads
      const result = await this.opts.ingester.scrape(id, target.labels, target.url, {
        timeoutMs: this.opts.timeoutMs,
        maxBytes: this.opts.maxBodyBytes,
      });
      if (result.capped !== undefined) {
        Object.assign(state, { health: 'down', lastError: result.capped, capped: result.capped });
        Object.assign(state, { series: result.series, dialect: result.dialect });
        state.durationMs = this.now() - started;
        return;
      }
      const capped = this.addCapped(id, result.records);
      Object.assign(state, {
        health: 'up',
        lastError: null,
        series: result.series,
        dialect: result.dialect,
        capped,
      });
    } catch (err) {
      state.health = 'down';
      state.lastError = message(err);
    }
    state.durationMs = this.now() - started;
  }

  /**
   * Adds a target's records, but only up to maxAggregatesPerTarget distinct aggregates: a label
   * with a new value every scrape (an id in dst_deployment, say) would otherwise add a ring of
   * rows per value until memory runs out. Keys idle for a whole retention free their place.
   * Returns why records were dropped, or null.
   */
  private addCapped(id: string, records: FoldedRecord[]): string | null {
    const max = this.opts.maxAggregatesPerTarget ?? 1000;
    const round = this.opts.store.roundCount;
    let keys = this.fed.get(id);
    if (!keys) this.fed.set(id, (keys = new Map<string, number>()));
    let dropped = 0;
    let pruned = false;
    let example: FoldedRecord | undefined;
    for (const record of records) {
      const key = aggregateKey(record);
      if (!keys.has(key) && keys.size >= max && !pruned) {
        pruned = true;
        for (const [k, last] of keys) if (round - last > this.opts.store.capacity) keys.delete(k);
      }
      if (!keys.has(key) && keys.size >= max) {
        dropped++;
        example ??= record;
        continue;
      }
      keys.set(key, round);
      this.opts.store.add(record, id);
    }
    if (dropped === 0 || !example) return null;
    const r = example.resource;
    const d = example.destination;
    const what = d
      ? `edge ${r.namespace}/${r.name} -> ${d.kind} ${d.namespace}/${d.name}`
      : `${example.view} ${r.namespace}/${r.name}`;
    return (
      `resource limit: this target reports more than ${max.toLocaleString('en-US')} resources and ` +
      `edges (a label with a new value every scrape?); ${dropped} new ones dropped, e.g. ${what}`
    );
  }
}
