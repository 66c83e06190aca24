/*
 * Per-target memory of the previous value of every counter series, so a scrape can be turned into
 * increments exactly as Prometheus' increase() treats each series: a new series contributes nothing
 * on its first sample, a drop is a reset (the new value is the increment), a vanished series simply
 * stops. Kept as two typed arrays in scrape order (a 53-bit hash per series) because 1,000 targets
 * of 2,000 series each would cost hundreds of MB as a Map of strings.
 */

export interface SeriesState {
  hashes: Float64Array;
  values: Float64Array;
  size: number;
  /** built on demand when the series order changed since the previous scrape */
  index?: Map<number, number>;
}

export function emptySeriesState(): SeriesState {
  return { hashes: new Float64Array(0), values: new Float64Array(0), size: 0 };
}

/** cyrb53 over the series name and label pairs: fast, 53 bits, no allocations or closures. */
export function seriesHash(name: string, labels: Readonly<Record<string, string>>): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  for (const key in labels) {
    // separators (0xff never occurs in a UTF-16 code unit of a label name) keep ("ab","c") != ("a","bc")
    h1 = Math.imul(h1 ^ 0xff, 2654435761);
    for (let i = 0; i < key.length; i++) h1 = Math.imul(h1 ^ key.charCodeAt(i), 2654435761);
    const v = labels[key] ?? '';
    h2 = Math.imul(h2 ^ 0xff, 1597334677);
    for (let i = 0; i < v.length; i++) {
      const ch = v.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h2 = Math.imul(h2 ^ v.length, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Builds the next state while computing increments against the previous one. */
export class IncrementTracker {
  private readonly next: SeriesState;
  private position = 0;

  constructor(
    private readonly prev: SeriesState,
    capacityHint: number,
  ) {
    const cap = Math.max(16, capacityHint);
    this.next = { hashes: new Float64Array(cap), values: new Float64Array(cap), size: 0 };
  }

  /** Increment of one counter sample since the previous scrape (0 for a series seen first). */
  increment(hash: number, value: number): number {
    const previous = this.lookup(hash);
    this.remember(hash, value);
    if (previous === undefined || Number.isNaN(value)) return 0;
    return value >= previous ? value - previous : value;
  }

  finish(): SeriesState {
    return this.next;
  }

  private lookup(hash: number): number | undefined {
    const i = this.position++;
    const { prev } = this;
    if (i < prev.size && prev.hashes[i] === hash) return prev.values[i];
    if (!prev.index) {
      prev.index = new Map();
      for (let j = 0; j < prev.size; j++) prev.index.set(prev.hashes[j] ?? 0, j);
    }
    const j = prev.index.get(hash);
    return j === undefined ? undefined : prev.values[j];
  }

  private remember(hash: number, value: number): void {
    const n = this.next;
    if (n.size === n.hashes.length) {
      const hashes = new Float64Array(n.size * 2);
      const values = new Float64Array(n.size * 2);
      hashes.set(n.hashes);
      values.set(n.values);
      n.hashes = hashes;
      n.values = values;
    }
    n.hashes[n.size] = hash;
    n.values[n.size] = value;
    n.size++;
  }
}
