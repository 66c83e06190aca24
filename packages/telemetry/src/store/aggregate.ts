import {
  FIXED_COUNTER_COLUMNS,
  type AggregateView,
  type EdgeDestination,
  type FoldedExemplar,
  type FoldedRecord,
  type ResourceName,
  type RouteRef,
  type WorkloadLabels,
} from '../model';
import { CompactRing } from './compactRing';

/**
 * One aggregate (a workload, pod, service or edge): a ring of rows, one per scrape round in which
 * any target reported it. A row holds reset-free cumulative counters (sums of per-series
 * increments), the bucket counters, and the open-connections gauge last.
 */
export class Aggregate {
  les: number[] = [];
  width = FIXED_COUNTER_COLUMNS + 1;
  /** committed rows (compactRing.ts: exact, about half the bytes of float64, grown as needed) */
  private ring: CompactRing;
  /** running sums of the counters; the gauge of the round being added sits in the last column */
  private cumulative: Float64Array;
  private touchedRound = -1;
  lastRound = -1;
  readonly exemplars = new Map<number, FoldedExemplar>();
  /** target id -> last round it reported this aggregate */
  readonly reporters = new Map<string, number>();
  clientId: string | undefined;
  serverId: string | undefined;
  labels: WorkloadLabels | undefined;

  constructor(
    readonly key: string,
    readonly view: AggregateView,
    readonly resource: ResourceName,
    readonly destination: EdgeDestination | undefined,
    capacity: number,
    readonly route?: RouteRef,
  ) {
    this.ring = new CompactRing(capacity, this.width);
    this.cumulative = new Float64Array(this.width);
  }

  get bucketColumn(): number {
    return FIXED_COUNTER_COLUMNS;
  }

  get gaugeColumn(): number {
    return this.width - 1;
  }

  /** bytes of typed arrays this aggregate holds (for the memory breakdown) */
  get byteLength(): number {
    return this.ring.byteLength + this.cumulative.byteLength;
  }

  /** bytes it would hold with a full ring (a retention's worth of rounds) */
  get fullByteLength(): number {
    return this.ring.fullByteLength + this.cumulative.byteLength;
  }

  /** Adds one target's record for `round` (rounds arrive in increasing order). */
  add(record: FoldedRecord, round: number, targetId: string): void {
    const adopted = this.les.length === 0 && record.les.length > 0;
    if (adopted) this.adoptLayout(record.les);
    // the first row is seeded with absolute values (see FoldedRecord.absolute)
    const fresh = this.lastRound === -1;
    if (this.touchedRound !== round) {
      this.touchedRound = round;
      this.cumulative[this.width - 1] = 0;
    }
    const source = fresh ? record.absolute : record.deltas;
    for (let c = 0; c < FIXED_COUNTER_COLUMNS; c++)
      this.cumulative[c] = (this.cumulative[c] ?? 0) + (source[c] ?? 0);
    const bucketSource = fresh || adopted ? record.absolute : record.deltas;
    for (let i = 0; i < record.les.length; i++) {
      const j = this.les.indexOf(record.les[i] ?? Number.NaN);
      // a bucket layout this aggregate does not have cannot be summed into it
      if (j === -1) continue;
      const col = FIXED_COUNTER_COLUMNS + j;
      this.cumulative[col] =
        (this.cumulative[col] ?? 0) + (bucketSource[FIXED_COUNTER_COLUMNS + i] ?? 0);
    }
    this.cumulative[this.width - 1] =
      (this.cumulative[this.width - 1] ?? 0) + record.openConnections;
    for (const ex of record.exemplars) this.exemplars.set(ex.le, ex);
    if (record.clientId) this.clientId = record.clientId;
    if (record.serverId) this.serverId = record.serverId;
    if (record.labels) this.labels = record.labels;
    this.reporters.set(targetId, round);
  }

  /** Writes the row for `round` if anything reported this aggregate in it. */
  commit(round: number): void {
    if (this.touchedRound !== round) return;
    this.ring.put(round, this.cumulative);
    this.lastRound = round;
  }

  /** Whether this aggregate has a row for `round`. */
  has(round: number): boolean {
    return this.ring.has(round);
  }

  /** Value of `column` stored for `round`, or undefined when this aggregate has no row for it. */
  value(round: number, column: number): number | undefined {
    return this.ring.get(round, column);
  }

  /**
   * Puts back a row of a snapshot (store/snapshot.ts), rounds in increasing order; the running
   * sums continue from the last one.
   */
  restoreRow(round: number, row: ArrayLike<number>): void {
    if (round <= this.lastRound) return;
    this.ring.put(round, row);
    this.lastRound = round;
    for (let c = 0; c < this.width - 1; c++) this.cumulative[c] = row[c] ?? 0;
    this.cumulative[this.width - 1] = 0;
  }

  /** The bucket layout of a snapshot, before its rows are restored. */
  restoreLayout(les: number[]): void {
    if (les.length > 0) this.adoptLayout(les);
  }

  private adoptLayout(les: number[]): void {
    const width = FIXED_COUNTER_COLUMNS + les.length + 1;
    // older rows had no histogram: their bucket columns read NaN (no samples)
    const from = Array.from({ length: width }, (_, c) =>
      c < FIXED_COUNTER_COLUMNS ? c : c === width - 1 ? this.width - 1 : -1,
    );
    this.ring.relayout(from);
    const cumulative = new Float64Array(width);
    cumulative.set(this.cumulative.subarray(0, FIXED_COUNTER_COLUMNS));
    cumulative[width - 1] = this.cumulative[this.width - 1] ?? 0;
    this.les = [...les];
    this.width = width;
    this.cumulative = cumulative;
  }
}
