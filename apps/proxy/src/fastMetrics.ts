/**
 * Hot-path counter and histogram for the per-request series. prom-client's own classes hash
 * and validate labels on every call (~6 us per counter, ~30 us per histogram observation with
 * an exemplar on the bench machine); these keep one entry per label set in a Map keyed by a
 * plain string and produce the same values for prom-client's Registry, which still renders
 * both text formats.
 */
type Labels = Readonly<Record<string, string | undefined>>;

interface Exemplar {
  labelSet: Record<string, string>;
  value: number;
  timestamp: number;
}

interface ValuePair {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName?: string;
  exemplar?: Exemplar | null;
}

function keyOf(labels: Labels): string {
  let key = '';
  for (const k in labels) {
    const v = labels[k];
    if (v !== undefined) key += `${k}\u0001${v}\u0002`;
  }
  return key;
}

function clean(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in labels) {
    const v = labels[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** One series of a counter, as prom-client's `counter.labels(...)`: no label key per call. */
export interface CounterChild {
  inc(n?: number): void;
}

/** One series of a histogram; the exemplar (trace id) is optional per observation. */
export interface HistogramChild {
  observe(value: number, exemplarLabels?: Record<string, string>): void;
}

export class FastCounter {
  readonly type = 'counter';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, { labels: Record<string, string>; value: number }>();
  /** Bumped by reset(): a child made before it looks its series up again. */
  private generation = 0;

  /** A handle on the series of `labels` (the label key is computed once, here). */
  labels(labels: Labels): CounterChild {
    let gen = -1;
    let s: { labels: Record<string, string>; value: number } | undefined;
    return {
      inc: (n = 1) => {
        if (gen !== this.generation || s === undefined) {
          gen = this.generation;
          const key = keyOf(labels);
          s = this.series.get(key);
          if (s === undefined) {
            s = { labels: clean(labels), value: 0 };
            this.series.set(key, s);
          }
        }
        s.value += n;
      },
    };
  }

  constructor(
    public name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels, n = 1): void {
    const key = keyOf(labels);
    const s = this.series.get(key);
    if (s === undefined) this.series.set(key, { labels: clean(labels), value: n });
    else s.value += n;
  }

  get(): Promise<{
    name: string;
    help: string;
    type: string;
    values: ValuePair[];
    aggregator: string;
  }> {
    const values = [...this.series.values()].map((s) => ({ labels: s.labels, value: s.value }));
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    });
  }

  reset(): void {
    this.series.clear();
    this.generation++;
  }
}

interface HistogramSeries {
  labels: Record<string, string>;
  counts: number[];
  exemplars: (Exemplar | null)[];
  sum: number;
  count: number;
}

export class FastHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, HistogramSeries>();

  constructor(
    public name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {}

  private generation = 0;

  observe(o: { labels: Labels; value: number; exemplarLabels?: Record<string, string> }): void {
    this.add(this.seriesOf(o.labels), o.value, o.exemplarLabels);
  }

  /** A handle on the series of `labels` (the label key is computed once, here). */
  labels(labels: Labels): HistogramChild {
    let gen = -1;
    let s: HistogramSeries | undefined;
    return {
      observe: (value, exemplarLabels) => {
        if (gen !== this.generation || s === undefined) {
          gen = this.generation;
          s = this.seriesOf(labels);
        }
        this.add(s, value, exemplarLabels);
      },
    };
  }

  private seriesOf(labels: Labels): HistogramSeries {
    const key = keyOf(labels);
    let s = this.series.get(key);
    if (s === undefined) {
      const n = this.bounds.length + 1;
      s = {
        labels: clean(labels),
        counts: new Array<number>(n).fill(0),
        exemplars: new Array<Exemplar | null>(n).fill(null),
        sum: 0,
        count: 0,
      };
      this.series.set(key, s);
    }
    return s;
  }

  private add(s: HistogramSeries, value: number, exemplarLabels?: Record<string, string>): void {
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] ?? Infinity)) i++;
    s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += value;
    s.count++;
    if (exemplarLabels !== undefined && hasKeys(exemplarLabels)) {
      s.exemplars[i] = { labelSet: exemplarLabels, value, timestamp: Date.now() / 1000 };
    }
  }

  get(): Promise<{
    name: string;
    help: string;
    type: string;
    values: ValuePair[];
    aggregator: string;
  }> {
    const values: ValuePair[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.series.values()) {
      let acc = 0;
      this.bounds.forEach((le, i) => {
        acc += s.counts[i] ?? 0;
        values.push({
          labels: { le },
          sharedLabels: s.labels,
          value: acc,
          metricName: bucket,
          exemplar: s.exemplars[i] ?? null,
        });
      });
      values.push(
        {
          labels: { le: '+Inf' },
          sharedLabels: s.labels,
          value: s.count,
          metricName: bucket,
          exemplar: s.exemplars[this.bounds.length] ?? null,
        },
        { labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum` },
        { labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count` },
      );
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    });
  }

  reset(): void {
    this.series.clear();
    this.generation++;
  }
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}
