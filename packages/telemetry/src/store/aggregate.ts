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

/**
 * One aggregate (a workload, pod, service or edge): a ring of rows, one per scrape round in which
 * any target reported it. A row holds reset-free cumulative counters (sums of per-series
 * increments), the bucket counters, and the open-connections gauge last.
 */
export class Aggregate {
  les: number[] = [];
  width = FIXED_COUNTER_COLUMNS + 1;
  rows: Float64Array;
  /** round number stored in each slot (-1: empty) */
  readonly slotRound: Float64Array;
  cumulative: Float64Array;
  private gauge = 0;
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
    private readonly capacity: number,
    readonly route?: RouteRef,
  ) {
    this.rows = new Float64Array(capacity * this.width);
    this.slotRound = new Float64Array(capacity).fill(-1);
    this.cumulative = new Float64Array(this.width);
  }

  get bucketColumn(): number {
    return FIXED_COUNTER_COLUMNS;
  }

  get gaugeColumn(): number {
    return this.width - 1;
  }

  /** Adds one target's record for `round` (rounds arrive in increasing order). */
  add(record: FoldedRecord, round: number, targetId: string): void {
    const adopted = this.les.length === 0 && record.les.length > 0;
    if (adopted) this.adoptLayout(record.les);
    // the first row is seeded with absolute values (see FoldedRecord.absolute)
    const fresh = this.lastRound === -1;
    if (this.touchedRound !== round) {
      this.touchedRound = round;
      this.gauge = 0;
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
    this.gauge += record.openConnections;
    for (const ex of record.exemplars) this.exemplars.set(ex.le, ex);
    if (record.clientId) this.clientId = record.clientId;
    if (record.serverId) this.serverId = record.serverId;
    if (record.labels) this.labels = record.labels;
    this.reporters.set(targetId, round);
  }

  /** Writes the row for `round` if anything reported this aggregate in it. */
  commit(round: number): void {
    if (this.touchedRound !== round) return;
    const slot = round % this.capacity;
    const base = slot * this.width;
    this.rows.set(this.cumulative.subarray(0, this.width - 1), base);
    this.rows[base + this.width - 1] = this.gauge;
    this.slotRound[slot] = round;
    this.lastRound = round;
  }

  /** Value of `column` stored for `round`, or undefined when this aggregate has no row for it. */
  value(round: number, column: number): number | undefined {
    const slot = round % this.capacity;
    if (this.slotRound[slot] !== round) return undefined;
    return this.rows[slot * this.width + column];
  }

  private adoptLayout(les: number[]): void {
    const width = FIXED_COUNTER_COLUMNS + les.length + 1;
    const rows = new Float64Array(this.capacity * width);
    for (let s = 0; s < this.capacity; s++) {
      for (let c = 0; c < FIXED_COUNTER_COLUMNS; c++)
        rows[s * width + c] = this.rows[s * this.width + c] ?? 0;
      // older rows had no histogram: their bucket columns stay NaN (no samples)
      for (let c = FIXED_COUNTER_COLUMNS; c < width - 1; c++) rows[s * width + c] = Number.NaN;
      rows[s * width + width - 1] = this.rows[s * this.width + this.width - 1] ?? 0;
    }
    const cumulative = new Float64Array(width);
    cumulative.set(this.cumulative.subarray(0, FIXED_COUNTER_COLUMNS));
    this.les = [...les];
    this.width = width;
    this.rows = rows;
    this.cumulative = cumulative;
  }
}
