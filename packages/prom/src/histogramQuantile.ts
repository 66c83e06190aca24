// PromQL's classic histogram_quantile (bucketQuantile), float buckets.

export interface Bucket {
  /** Upper bound; +Infinity for the +Inf bucket. */
  le: number;
  /** Cumulative count. */
  count: number;
}

const SMALL_DELTA_TOLERANCE = 1e-12;
const MIN_NORMAL = 2.2250738585072014e-308;

function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

/** Merges buckets with the same upper bound (e.g. from series that differ only in `le` spelling). */
function coalesce(sorted: Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  for (const b of sorted) {
    const last = out[out.length - 1];
    if (last && last.le === b.le) last.count += b.count;
    else out.push({ le: b.le, count: b.count });
  }
  return out;
}

/**
 * Forces cumulative counts to be monotonic (scrapes are not atomic), and ignores differences that
 * are only floating point noise, as Prometheus does.
 */
function ensureMonotonic(buckets: Bucket[]): void {
  let prev = (buckets[0] as Bucket).count;
  for (let i = 1; i < buckets.length; i++) {
    const b = buckets[i] as Bucket;
    const curr = b.count;
    if (curr === prev) continue;
    if (almostEqual(prev, curr, SMALL_DELTA_TOLERANCE) || curr < prev) {
      b.count = prev;
      continue;
    }
    prev = curr;
  }
}

/** Exactly PromQL `histogram_quantile(q, ...)` over classic buckets; NaN where PromQL gives NaN. */
export function histogramQuantile(q: number, input: Bucket[]): number {
  return quantileOf(q, prepare(input));
}

/**
 * `histogramQuantile` for several quantiles of the same buckets (p50, p95, p99 of one edge): the
 * buckets are sorted, merged and made monotonic once instead of once per quantile.
 */
export function histogramQuantiles(qs: readonly number[], input: Bucket[]): number[] {
  const buckets = prepare(input);
  return qs.map((q) => quantileOf(q, buckets));
}

/** The buckets PromQL interpolates in, or undefined where every quantile is NaN. */
function prepare(input: Bucket[]): Bucket[] | undefined {
  if (input.length === 0) return undefined;
  const sorted = [...input].sort((a, b) => a.le - b.le);
  if ((sorted[sorted.length - 1] as Bucket).le !== Infinity) return undefined;
  const buckets = coalesce(sorted);
  ensureMonotonic(buckets);
  if (buckets.length < 2) return undefined;
  if ((buckets[buckets.length - 1] as Bucket).count === 0) return undefined;
  return buckets;
}

function quantileOf(q: number, buckets: Bucket[] | undefined): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (buckets === undefined) return NaN;
  const observations = (buckets[buckets.length - 1] as Bucket).count;
  let rank = q * observations;
  // Binary search like Go's sort.Search over all but the +Inf bucket, so that even odd inputs
  // (NaN counts) land where Prometheus lands.
  let b = 0;
  let hi = buckets.length - 1;
  while (b < hi) {
    const mid = (b + hi) >>> 1;
    if ((buckets[mid] as Bucket).count >= rank) hi = mid;
    else b = mid + 1;
  }
  if (b === buckets.length - 1) return (buckets[buckets.length - 2] as Bucket).le;
  const bucket = buckets[b] as Bucket;
  if (b === 0 && bucket.le <= 0) return bucket.le;
  let bucketStart = 0;
  let count = bucket.count;
  if (b > 0) {
    const below = buckets[b - 1] as Bucket;
    bucketStart = below.le;
    count -= below.count;
    rank -= below.count;
  }
  return bucketStart + (bucket.le - bucketStart) * (rank / count);
}
