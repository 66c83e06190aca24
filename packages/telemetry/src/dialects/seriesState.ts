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
  /** per series, its hash as the target wrote it (0: not known by it), which the parser checks */
  written: Float64Array;
  /** per series, how it was routed (an id of routeCache.ts; 0: parse it in full next time) */
  routes: Uint16Array;
  size: number;
  /** the route table generation the ids belong to */
  epoch?: number;
  /** built on demand when the series order changed since the previous scrape */
  index?: Map<number, number>;
  /** the same for the written hashes */
  writtenIndex?: Map<number, number>;
}

export function emptySeriesState(): SeriesState {
  return {
    hashes: new Float64Array(0),
    values: new Float64Array(0),
    written: new Float64Array(0),
    routes: new Uint16Array(0),
    size: 0,
  };
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

/*
 * A state's four arrays share one ArrayBuffer, and the buffer of a state its successor replaced
 * is reused by the next scrape instead of left to the collector: at 1,000 targets that is ~53 KB
 * a scrape that would otherwise pile up as external memory between the workers' full collections.
 */
const BYTES_PER_SERIES = 26;
const spare: ArrayBuffer[] = [];
const MAX_SPARE = 4;

/**
 * Hands a state's memory back for reuse: call only once `state` was replaced (its successor was
 * kept) and will never be read again.
 */
export function releaseSeriesState(state: SeriesState): void {
  const buffer = state.hashes.buffer;
  if (
    buffer instanceof ArrayBuffer &&
    buffer.byteLength > 0 &&
    spare.length < MAX_SPARE &&
    !spare.includes(buffer)
  )
    spare.push(buffer);
}

function stateArrays(
  minSeries: number,
): Pick<SeriesState, 'hashes' | 'values' | 'written' | 'routes'> {
  const bytes = minSeries * BYTES_PER_SERIES;
  let buffer: ArrayBuffer | undefined;
  for (let k = spare.length - 1; k >= 0; k--) {
    const b = spare[k] as ArrayBuffer;
    if (b.byteLength >= bytes && b.byteLength <= bytes * 2) {
      buffer = b;
      spare.splice(k, 1);
      break;
    }
  }
  buffer ??= new ArrayBuffer(bytes);
  const cap = Math.floor(buffer.byteLength / BYTES_PER_SERIES);
  return {
    hashes: new Float64Array(buffer, 0, cap),
    values: new Float64Array(buffer, 8 * cap, cap),
    written: new Float64Array(buffer, 16 * cap, cap),
    routes: new Uint16Array(buffer, 24 * cap, cap),
  };
}

/** Builds the next state while computing increments against the previous one. */
export class IncrementTracker {
  private readonly next: SeriesState;

  constructor(
    private readonly prev: SeriesState,
    capacityHint: number,
  ) {
    // a target's series rarely change: last scrape's count (and a little room) fits this one
    const cap = Math.max(16, prev.size > 0 ? prev.size + 32 : capacityHint);
    this.next = { ...stateArrays(cap), size: 0 };
  }

  /** Increment of one counter sample since the previous scrape (0 for a series seen first). */
  increment(hash: number, value: number): number {
    return this.record(hash, 0, value, this.at(hash), 0);
  }

  /**
   * Where the series (by its name and labels) was in the previous scrape, -1 if not there. Series
   * mostly come in the same order, so the place it would have now is checked first.
   */
  at(hash: number): number {
    return this.find(hash, 'hashes', 'index');
  }

  /** The same by the hash of the series as written (0 is never a written hash: not found). */
  atWritten(written: number): number {
    return this.find(written, 'written', 'writtenIndex');
  }

  private find(
    hash: number,
    column: 'hashes' | 'written',
    index: 'index' | 'writtenIndex',
  ): number {
    const { prev } = this;
    const i = this.next.size;
    if (i < prev.size && prev[column][i] === hash) return i;
    const map = (prev[index] ??= indexOf(prev[column], prev.size));
    return map.get(hash) ?? -1;
  }

  /** The route id and identity the series at a previous index had. */
  routeAt(index: number): number {
    return index < 0 ? 0 : (this.prev.routes[index] ?? 0);
  }

  hashAt(index: number): number {
    return this.prev.hashes[index] ?? 0;
  }

  /**
   * Remembers a series (its hash, the hash as written or 0, its route id) and returns its
   * increment against the value at `index` of the previous scrape.
   */
  record(hash: number, written: number, value: number, index: number, route: number): number {
    this.remember(hash, written, value, route);
    if (index < 0 || Number.isNaN(value)) return 0;
    const previous = this.prev.values[index] ?? 0;
    return value >= previous ? value - previous : value;
  }

  finish(): SeriesState {
    return this.next;
  }

  private remember(hash: number, written: number, value: number, route: number): void {
    const n = this.next;
    if (n.size === n.hashes.length) {
      const grown = stateArrays(n.size * 2);
      grown.hashes.set(n.hashes);
      grown.values.set(n.values);
      grown.written.set(n.written);
      grown.routes.set(n.routes);
      Object.assign(n, grown);
    }
    n.hashes[n.size] = hash;
    n.values[n.size] = value;
    n.written[n.size] = written;
    n.routes[n.size] = route;
    n.size++;
  }
}

function indexOf(hashes: Float64Array, size: number): Map<number, number> {
  const index = new Map<number, number>();
  for (let j = 0; j < size; j++) index.set(hashes[j] ?? 0, j);
  return index;
}
