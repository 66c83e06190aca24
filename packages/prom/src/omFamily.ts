import { failAt } from './errors';
import { BucketCheck, checkValue, parseCanonicalFloat } from './omRules';
import type { MetricFamily, Sample } from './types';

// Per-family OpenMetrics checks that span samples: contiguous label sets, per-series timestamps,
// histogram buckets, summary quantiles, stateset labels.

export interface OmFamily {
  family: MetricFamily;
  keep: boolean;
  typed: boolean;
  sampled: boolean;
  groups: Set<string>;
  group: string | undefined;
  /** Last timestamp (seconds, null = none) of each series in the current label set. */
  seriesTs: Map<string, number | null>;
  buckets: BucketCheck;
}

export function createOmFamily(name: string, keep: boolean): OmFamily {
  return {
    family: { name, type: 'unknown', samples: [] },
    keep,
    typed: false,
    sampled: false,
    groups: new Set(),
    group: undefined,
    seriesTs: new Map(),
    buckets: new BucketCheck(),
  };
}

export function checkSample(
  s: string,
  at: number,
  sample: Sample,
  suffix: string,
  fam: OmFamily,
  tsSeconds: number | undefined,
): void {
  const type = fam.family.type;
  const problem = checkValue(type, suffix, sample);
  if (problem) failAt(s, at, problem);
  const labels = sample.labels;
  let exclude: string | undefined;
  if (suffix === '_bucket') exclude = 'le';
  else if (type === 'summary' && suffix === '') exclude = 'quantile';
  else if (type === 'stateset') exclude = fam.family.name;
  checkGroup(s, at, fam, groupKey(labels, exclude));
  const newPoint = checkTimestamp(s, at, fam, sample.name + groupKey(labels, undefined), tsSeconds);
  if (suffix === '_bucket') {
    const le = labels.le === undefined ? undefined : parseCanonicalFloat(labels.le);
    if (le === undefined) failAt(s, at, 'histogram bucket needs a numeric "le" label');
    if (newPoint && fam.buckets.restarts(le)) {
      // A later MetricPoint of the same label set (a timestamped repeat): check its buckets afresh.
      const problem = fam.buckets.finish();
      if (problem) failAt(s, at, `${problem} ("${fam.family.name}")`);
      fam.buckets.reset();
    }
    const bucketProblem = fam.buckets.bucket(le, sample.value);
    if (bucketProblem) failAt(s, at, bucketProblem);
  } else if (suffix === '_count' || suffix === '_gcount') {
    if (type !== 'summary') fam.buckets.countSample(sample.value);
  } else if (suffix === '_sum' || suffix === '_gsum') {
    if (type !== 'summary') fam.buckets.sumSample(sample.value, suffix === '_sum');
  } else if (type === 'summary' && suffix === '') {
    const q = labels.quantile === undefined ? undefined : parseCanonicalFloat(labels.quantile);
    if (q === undefined || q < 0 || q > 1)
      failAt(s, at, 'summary quantile label must be a number in [0, 1]');
  } else if (type === 'stateset' && !Object.hasOwn(labels, fam.family.name)) {
    failAt(s, at, `stateset sample needs the label "${fam.family.name}"`);
  }
}

/** Returns true when this sample repeats a series of the label set (a new MetricPoint). */
function checkTimestamp(
  s: string,
  at: number,
  fam: OmFamily,
  seriesKey: string,
  ts: number | undefined,
): boolean {
  const previous = fam.seriesTs.get(seriesKey);
  fam.seriesTs.set(seriesKey, ts ?? null);
  if (previous === undefined) return false;
  if (previous === null || ts === undefined) {
    failAt(s, at, 'a repeated series needs timestamps on every sample');
  }
  if (ts < previous) failAt(s, at, 'timestamps of a series must not decrease');
  return true;
}

function checkGroup(s: string, at: number, fam: OmFamily, key: string): void {
  if (fam.group === key) return;
  fam.seriesTs.clear();
  if (fam.group !== undefined) {
    const problem = fam.buckets.finish();
    if (problem) failAt(s, at, `${problem} ("${fam.family.name}")`);
    fam.buckets.reset();
  }
  if (fam.groups.has(key))
    failAt(s, at, 'samples of one label set must be contiguous (interleaved label sets)');
  fam.groups.add(key);
  fam.group = key;
}

function groupKey(labels: Record<string, string>, exclude: string | undefined): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  keys.sort();
  let key = '';
  for (const k of keys) if (k !== exclude) key += `${k}\u0000${labels[k]}\u0001`;
  return key;
}
