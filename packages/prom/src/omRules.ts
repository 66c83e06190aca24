import { parseNumber } from './number';
import type { MetricType, Sample } from './types';

// OpenMetrics 1.0 semantic rules: which series names a family type owns, which samples may carry
// exemplars, which values are allowed, and how a histogram's buckets must look.

const ALLOWED_SUFFIXES: Record<MetricType, readonly string[]> = {
  counter: ['_total', '_created'],
  gauge: [''],
  histogram: ['_bucket', '_sum', '_count', '_created'],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
  summary: ['', '_sum', '_count', '_created'],
  info: ['_info'],
  stateset: [''],
  unknown: [''],
  untyped: [''],
};

export const OM_TYPES: ReadonlySet<string> = new Set([
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
  'unknown',
]);

/** The series-name suffixes a family of `type` owns. */
export function seriesSuffixes(type: MetricType): readonly string[] {
  return ALLOWED_SUFFIXES[type];
}

/** The suffix of `series` that `type` owns for family `family`, or undefined if it owns none. */
export function ownedSuffix(type: MetricType, family: string, series: string): string | undefined {
  if (!series.startsWith(family)) return undefined;
  const suffix = series.slice(family.length);
  return ALLOWED_SUFFIXES[type].includes(suffix) ? suffix : undefined;
}

export function exemplarAllowed(type: MetricType, suffix: string): boolean {
  if (type === 'counter') return suffix === '_total';
  return (type === 'histogram' || type === 'gaugehistogram') && suffix === '_bucket';
}

/** Returns a problem description, or undefined when the value is allowed. */
export function checkValue(type: MetricType, suffix: string, sample: Sample): string | undefined {
  const v = sample.value;
  const counterLike =
    (type === 'counter' && suffix === '_total') ||
    suffix === '_bucket' ||
    suffix === '_count' ||
    suffix === '_gcount';
  if (counterLike) {
    if (Number.isNaN(v)) return `${sample.name} must not be NaN`;
    if (v < 0) return `${sample.name} must not be negative`;
    if (
      (suffix === '_count' || suffix === '_gcount' || suffix === '_bucket') &&
      !Number.isInteger(v)
    ) {
      return `${sample.name} must be an integer count`;
    }
  }
  if ((suffix === '_sum' || suffix === '_gsum') && Number.isNaN(v))
    return `${sample.name} must not be NaN`;
  if (type === 'stateset' && v !== 0 && v !== 1) return 'stateset values must be 0 or 1';
  if (type === 'info' && v !== 1) return 'info values must be 1';
  return undefined;
}

/** A canonical float label value (`le`, `quantile`): a number, infinities spelled +Inf/-Inf. */
export function parseCanonicalFloat(value: string): number | undefined {
  const v = parseNumber(value, 0, value.length);
  if (v === undefined || Number.isNaN(v)) return undefined;
  if (v === Infinity && value !== '+Inf') return undefined;
  if (v === -Infinity && value !== '-Inf') return undefined;
  return v;
}

/** Bucket checks for one histogram MetricPoint (one label set). */
export class BucketCheck {
  private lastLe = -Infinity;
  private firstLe = 0;
  private lastCount = -Infinity;
  private buckets = 0;
  private infCount: number | undefined;
  private count: number | undefined;
  private sawSum = false;
  private negativeSum = false;

  reset(): void {
    this.lastLe = -Infinity;
    this.firstLe = 0;
    this.lastCount = -Infinity;
    this.buckets = 0;
    this.infCount = undefined;
    this.count = undefined;
    this.sawSum = false;
    this.negativeSum = false;
  }

  /** True when `le` starts the bucket list again (a following MetricPoint). */
  restarts(le: number): boolean {
    return this.buckets > 0 && le <= this.lastLe;
  }

  bucket(le: number, count: number): string | undefined {
    if (this.infCount !== undefined) return 'bucket after the +Inf bucket';
    if (this.buckets > 0 && le <= this.lastLe) return 'buckets must be sorted by ascending le';
    if (count < this.lastCount) return 'bucket counts must be cumulative (non-decreasing)';
    if (this.buckets === 0) this.firstLe = le;
    this.buckets++;
    this.lastLe = le;
    this.lastCount = count;
    if (le === Infinity) this.infCount = count;
    return undefined;
  }

  countSample(v: number): void {
    this.count = v;
  }

  /** `counterSum`: a histogram `_sum` (not a gaugehistogram `_gsum`, which may go negative). */
  sumSample(v: number, counterSum: boolean): void {
    this.sawSum = true;
    this.negativeSum = counterSum && v < 0;
  }

  /** Called when the label set ends. */
  finish(): string | undefined {
    if (this.buckets === 0 && this.count === undefined && !this.sawSum) return undefined;
    if (this.infCount === undefined) return 'histogram must have a +Inf bucket';
    if (this.count !== undefined && this.count !== this.infCount) {
      return 'histogram count must equal the +Inf bucket';
    }
    if (this.sawSum && this.count === undefined) return 'histogram with _sum must also have _count';
    if (!this.sawSum && this.count !== undefined)
      return 'histogram with _count must also have _sum';
    // A histogram _sum is a counter unless there are negative buckets (Go clients emit those).
    if (this.negativeSum && this.firstLe >= 0)
      return 'histogram _sum must not be negative without negative buckets';
    return undefined;
  }
}
