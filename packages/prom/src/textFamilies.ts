import type { MetricFamily, MetricType } from './types';

/** A family while parsing, with the cached keep() decision. */
export interface FamilyState {
  family: MetricFamily;
  keep: boolean;
}

const SUFFIXES: Record<string, readonly MetricType[]> = {
  _bucket: ['histogram', 'gaugehistogram'],
  _sum: ['histogram', 'summary'],
  _count: ['histogram', 'summary'],
  _created: ['histogram', 'summary', 'counter'],
  _total: ['counter'],
  _gsum: ['gaugehistogram'],
  _gcount: ['gaugehistogram'],
  _info: ['info'],
};
const SUFFIX_LIST = Object.keys(SUFFIXES);

/**
 * Text format families: a series belongs to the family declared by TYPE/HELP for its name, or for
 * its name minus a suffix the declared type owns (`foo_bucket` -> histogram `foo`); any other
 * series name is an untyped family of its own.
 */
export class TextFamilies {
  private readonly byName = new Map<string, FamilyState>();
  private readonly declared = new Map<string, FamilyState>();
  private readonly seriesCache = new Map<string, FamilyState>();
  private readonly order: FamilyState[] = [];

  constructor(private readonly keepFn: ((name: string) => boolean) | undefined) {}

  declare(name: string): FamilyState {
    // Cheap: the cache only holds series seen since the previous HELP/TYPE line.
    this.seriesCache.clear();
    const existing = this.declared.get(name) ?? this.byName.get(name);
    if (existing) {
      this.declared.set(name, existing);
      return existing;
    }
    const state = this.create(name);
    this.declared.set(name, state);
    return state;
  }

  forSeries(series: string): FamilyState {
    const cached = this.seriesCache.get(series);
    if (cached) return cached;
    const state = this.resolve(series);
    this.seriesCache.set(series, state);
    return state;
  }

  /** Families with at least one sample, in order of first appearance (empty ones carry no data). */
  result(): MetricFamily[] {
    const out: MetricFamily[] = [];
    for (const state of this.order) if (state.family.samples.length > 0) out.push(state.family);
    return out;
  }

  private resolve(series: string): FamilyState {
    const exact = this.declared.get(series);
    if (exact) return exact;
    for (const suffix of SUFFIX_LIST) {
      if (!series.endsWith(suffix)) continue;
      const base = this.declared.get(series.slice(0, series.length - suffix.length));
      if (base && SUFFIXES[suffix]?.includes(base.family.type)) return base;
    }
    return this.byName.get(series) ?? this.create(series);
  }

  private create(name: string): FamilyState {
    const state: FamilyState = {
      family: { name, type: 'untyped', samples: [] },
      keep: this.keepFn ? this.keepFn(name) : true,
    };
    this.byName.set(name, state);
    this.order.push(state);
    return state;
  }
}
