import {
  aggregateKey,
  FIXED_COUNTER_COLUMNS,
  type AggregateView,
  type EdgeDestination,
  type FoldedExemplar,
  type FoldedRecord,
  type ResourceName,
  type RouteRef,
} from '../model';

interface Draft {
  /** the aggregate's key */
  key: string;
  record: FoldedRecord;
  buckets: Map<number, number>;
  absBuckets: Map<number, number>;
  exemplars: Map<number, FoldedExemplar>;
}

/** Accumulates one target's samples into FoldedRecords keyed by aggregate. */
export class FoldBuilder {
  private readonly drafts = new Map<string, Draft>();

  record(
    view: AggregateView,
    resource: ResourceName,
    destination?: EdgeDestination,
    route?: RouteRef,
  ): Draft {
    const partial = route
      ? { view, resource, route }
      : destination
        ? { view, resource, destination }
        : { view, resource };
    const key = aggregateKey(partial);
    let draft = this.drafts.get(key);
    if (!draft) {
      const record: FoldedRecord = {
        ...partial,
        les: [],
        deltas: new Array<number>(FIXED_COUNTER_COLUMNS).fill(0),
        absolute: new Array<number>(FIXED_COUNTER_COLUMNS).fill(0),
        openConnections: 0,
        exemplars: [],
      };
      draft = { key, record, buckets: new Map(), absBuckets: new Map(), exemplars: new Map() };
      this.drafts.set(key, draft);
    }
    return draft;
  }

  finish(): FoldedRecord[] {
    const out: FoldedRecord[] = [];
    for (const { record, buckets, absBuckets, exemplars } of this.drafts.values()) {
      const les = [...buckets.keys()].sort((a, b) => a - b);
      record.les = les;
      for (const le of les) {
        record.deltas.push(buckets.get(le) ?? 0);
        record.absolute.push(absBuckets.get(le) ?? 0);
      }
      record.exemplars = [...exemplars.values()];
      out.push(record);
    }
    return out;
  }
}

export type { Draft };

export function addCounter(d: Draft, column: number, delta: number, value: number): void {
  d.record.deltas[column] = (d.record.deltas[column] ?? 0) + delta;
  d.record.absolute[column] = (d.record.absolute[column] ?? 0) + value;
}

export function addBucket(d: Draft, le: number, delta: number, value: number): void {
  d.buckets.set(le, (d.buckets.get(le) ?? 0) + delta);
  d.absBuckets.set(le, (d.absBuckets.get(le) ?? 0) + value);
}

export function addExemplar(d: Draft, ex: FoldedExemplar): void {
  const prev = d.exemplars.get(ex.le);
  if (!prev || (ex.timestampMs ?? 0) >= (prev.timestampMs ?? 0)) d.exemplars.set(ex.le, ex);
}

/** `le` label value to a number ('+Inf' and 'Inf' are +Infinity). */
export function parseLe(le: string | undefined): number | undefined {
  if (le === undefined) return undefined;
  if (le === '+Inf' || le === 'Inf' || le === '+inf') return Number.POSITIVE_INFINITY;
  const n = Number(le);
  return Number.isNaN(n) ? undefined : n;
}
