import type { Aggregate } from '../store/aggregate';
import type { TelemetryStore } from '../store/store';
import { extrapolatedIncrease } from './extrapolate';

/** The rounds of one aggregate that fall in a time range, ready for per-column increases. */
export class AggregateWindow {
  private constructor(
    private readonly store: TelemetryStore,
    readonly agg: Aggregate,
    private readonly rounds: number[],
    readonly from: number,
    readonly to: number,
  ) {}

  /** Rounds with a row, in [from, to] (Prometheus 2.x range selectors include both ends). */
  static of(store: TelemetryStore, agg: Aggregate, from: number, to: number): AggregateWindow {
    const rounds: number[] = [];
    const end = store.roundAtOrAfter(to + 1);
    for (let r = store.roundAtOrAfter(from); r < end; r++) {
      if (agg.has(r)) rounds.push(r);
    }
    return new AggregateWindow(store, agg, rounds, from, to);
  }

  /** Same aggregate, a sub-range (for time series): binary search on the cached rounds. */
  sub(from: number, to: number): AggregateWindow {
    const lo = this.lowerBound(from);
    const hi = this.lowerBound(to + 1);
    return new AggregateWindow(this.store, this.agg, this.rounds.slice(lo, hi), from, to);
  }

  get sampleCount(): number {
    return this.rounds.length;
  }

  /** increase() of one column over the window, undefined with fewer than two samples. */
  increase(column: number): number | undefined {
    let i = 0;
    let j = this.rounds.length - 1;
    // bucket columns may be missing (NaN) in rows written before a histogram appeared
    while (i <= j && Number.isNaN(this.at(i, column))) i++;
    while (j >= i && Number.isNaN(this.at(j, column))) j--;
    if (j - i < 1) return undefined;
    const first = this.rounds[i] ?? 0;
    const last = this.rounds[j] ?? 0;
    return extrapolatedIncrease(
      {
        firstT: this.store.timeOf(first),
        firstV: this.at(i, column),
        lastT: this.store.timeOf(last),
        lastV: this.at(j, column),
        count: j - i + 1,
      },
      this.from,
      this.to,
    );
  }

  /** The last stored value of a (gauge) column in the window. */
  last(column: number): number | undefined {
    const n = this.rounds.length;
    return n === 0 ? undefined : this.at(n - 1, column);
  }

  private at(i: number, column: number): number {
    return this.agg.value(this.rounds[i] ?? -1, column) ?? Number.NaN;
  }

  private lowerBound(t: number): number {
    let lo = 0;
    let hi = this.rounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.store.timeOf(this.rounds[mid] ?? 0) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
