import { aggregateKey, type AggregateView, type FoldedRecord } from '../model';
import { Aggregate } from './aggregate';

export interface StoreOptions {
  /** how long rows are kept (default 1 h) */
  retentionMs?: number;
  /** expected time between rounds, sizes the rings (default 5 s) */
  intervalMs?: number;
}

/**
 * The windowed store: round timestamps in one ring, aggregates in a map, each with its own ring of
 * rows aligned to the round ring. Memory is bounded by retention/interval rows per aggregate;
 * aggregates with no row left in retention are dropped.
 */
export class TelemetryStore {
  readonly capacity: number;
  private readonly roundTimes: Float64Array;
  private rounds = 0;
  private readonly aggregates = new Map<string, Aggregate>();
  private currentRound = -1;

  constructor(opts: StoreOptions = {}) {
    const retention = opts.retentionMs ?? 3_600_000;
    const interval = opts.intervalMs ?? 5_000;
    this.capacity = Math.max(4, Math.ceil(retention / interval) + 2);
    this.roundTimes = new Float64Array(this.capacity);
  }

  /** Starts a round at time `t` (ms); every record added until commitRound belongs to it. */
  beginRound(t: number): void {
    if (this.currentRound !== -1) this.commitRound();
    const last = this.rounds > 0 ? this.timeOf(this.rounds - 1) : Number.NEGATIVE_INFINITY;
    this.currentRound = this.rounds;
    this.roundTimes[this.currentRound % this.capacity] = Math.max(t, last + 1);
  }

  add(record: FoldedRecord, targetId: string): void {
    if (this.currentRound === -1) throw new Error('add() outside a round');
    const key = aggregateKey(record);
    let agg = this.aggregates.get(key);
    if (!agg) {
      agg = new Aggregate(
        key,
        record.view,
        record.resource,
        record.destination,
        this.capacity,
        record.route,
      );
      this.aggregates.set(key, agg);
    }
    agg.add(record, this.currentRound, targetId);
  }

  commitRound(): void {
    if (this.currentRound === -1) return;
    const round = this.currentRound;
    for (const [key, agg] of this.aggregates) {
      agg.commit(round);
      if (round - agg.lastRound >= this.capacity) this.aggregates.delete(key);
    }
    this.rounds = round + 1;
    this.currentRound = -1;
  }

  /** Round numbers still held, oldest first. */
  get firstRound(): number {
    return Math.max(0, this.rounds - this.capacity);
  }

  /** Time of the oldest round still held, undefined before the first round. */
  get earliestTime(): number | undefined {
    return this.rounds > 0 ? this.timeOf(this.firstRound) : undefined;
  }

  /** Time of the newest committed round, undefined before the first round. */
  get latestTime(): number | undefined {
    return this.rounds > 0 ? this.timeOf(this.rounds - 1) : undefined;
  }

  get roundCount(): number {
    return this.rounds;
  }

  timeOf(round: number): number {
    return this.roundTimes[round % this.capacity] ?? Number.NaN;
  }

  /** First round with time >= t (binary search over the ring); roundCount when none. */
  roundAtOrAfter(t: number): number {
    let lo = this.firstRound;
    let hi = this.rounds;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeOf(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Takes over restored state (store/snapshot.ts): the next round continues after `rounds`. */
  adopt(
    rounds: number,
    times: readonly [number, number][],
    aggregates: readonly Aggregate[],
  ): void {
    this.rounds = rounds;
    for (const [r, t] of times) this.roundTimes[r % this.capacity] = t;
    for (const agg of aggregates) this.aggregates.set(agg.key, agg);
  }

  list(view?: AggregateView): Aggregate[] {
    const out: Aggregate[] = [];
    for (const agg of this.aggregates.values()) if (!view || agg.view === view) out.push(agg);
    return out;
  }

  get size(): number {
    return this.aggregates.size;
  }
}
