/**
 * Hot-path counter and histogram for the per-request series. A general counter validates and
 * hashes its labels on every call (prom-client's took ~6 us per counter and ~30 us per
 * histogram observation with an exemplar on the bench machine); these keep one entry per label
 * set in a Map keyed by a plain string, and handles (`labels(...)`) skip even that lookup.
 * The label set is rendered (escaped) once per series, when it is created.
 */
import { formatExemplar, formatValue, renderLabels, type LabelValues } from './exposition';
import { counterSampleName, sampleLine, type Collectable } from './metricsRegistry';

function keyOf(labels: LabelValues): string {
  let key = '';
  for (const k in labels) {
    const v = labels[k];
    if (v !== undefined) key += `${k}\u0001${v}\u0002`;
  }
  return key;
}

/** One series of a counter: no label key per call. */
export interface CounterChild {
  inc(n?: number): void;
}

/** One series of a histogram; the exemplar (trace id) is optional per observation. */
export interface HistogramChild {
  observe(value: number, exemplarLabels?: Readonly<Record<string, string>>): void;
}

interface CounterSeries {
  readonly labels: string;
  value: number;
}

export class FastCounter implements Collectable {
  readonly type = 'counter';
  private readonly series = new Map<string, CounterSeries>();
  /** Bumped by reset(): a child made before it looks its series up again. */
  private generation = 0;

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** A handle on the series of `labels` (the label key is computed once, here). */
  labels(labels: LabelValues): CounterChild {
    let gen = -1;
    let s: CounterSeries | undefined;
    return {
      inc: (n = 1) => {
        if (gen !== this.generation || s === undefined) {
          gen = this.generation;
          s = this.seriesOf(labels);
        }
        s.value += n;
      },
    };
  }

  inc(labels: LabelValues, n = 1): void {
    this.seriesOf(labels).value += n;
  }

  private seriesOf(labels: LabelValues): CounterSeries {
    const key = keyOf(labels);
    let s = this.series.get(key);
    if (s === undefined) {
      s = { labels: renderLabels(labels), value: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  writeSamples(out: string[], openMetrics: boolean): void {
    const name = counterSampleName(this.name, openMetrics);
    for (const s of this.series.values()) out.push(sampleLine(name, s.labels, s.value));
  }

  reset(): void {
    this.series.clear();
    this.generation++;
  }
}

interface StoredExemplar {
  labelSet: Readonly<Record<string, string>>;
  value: number;
  timestamp: number;
}

interface HistogramSeries {
  readonly labels: string;
  counts: number[];
  exemplars: (StoredExemplar | null)[];
  sum: number;
  count: number;
}

/** OpenMetrics caps an exemplar's label names and values at 128 characters together. */
const EXEMPLAR_MAX_CHARS = 128;

export class FastHistogram implements Collectable {
  readonly type = 'histogram';
  private readonly series = new Map<string, HistogramSeries>();
  private generation = 0;
  /** `le="1"` ... `le="+Inf"`: the bucket label comes first, as prom-client wrote it. */
  private readonly les: readonly string[];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {
    this.les = [...bounds.map((b) => `le="${formatValue(b)}"`), 'le="+Inf"'];
  }

  observe(o: {
    labels: LabelValues;
    value: number;
    exemplarLabels?: Readonly<Record<string, string>>;
  }): void {
    this.add(this.seriesOf(o.labels), o.value, o.exemplarLabels);
  }

  /** A handle on the series of `labels` (the label key is computed once, here). */
  labels(labels: LabelValues): HistogramChild {
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

  private seriesOf(labels: LabelValues): HistogramSeries {
    const key = keyOf(labels);
    let s = this.series.get(key);
    if (s === undefined) {
      const n = this.bounds.length + 1;
      s = {
        labels: renderLabels(labels),
        counts: new Array<number>(n).fill(0),
        exemplars: new Array<StoredExemplar | null>(n).fill(null),
        sum: 0,
        count: 0,
      };
      this.series.set(key, s);
    }
    return s;
  }

  private add(
    s: HistogramSeries,
    value: number,
    exemplarLabels?: Readonly<Record<string, string>>,
  ): void {
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] ?? Infinity)) i++;
    s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += value;
    s.count++;
    if (exemplarLabels !== undefined && fitsExemplar(exemplarLabels)) {
      s.exemplars[i] = { labelSet: exemplarLabels, value, timestamp: Date.now() / 1000 };
    }
  }

  writeSamples(out: string[], openMetrics: boolean): void {
    const bucket = `${this.name}_bucket`;
    for (const s of this.series.values()) {
      const shared = s.labels === '' ? '' : `,${s.labels}`;
      let acc = 0;
      for (let i = 0; i < this.les.length; i++) {
        // the last bucket (+Inf) holds what no bound took: cumulated, it is the count
        acc += s.counts[i] ?? 0;
        let line = `${bucket}{${this.les[i] ?? ''}${shared}} ${formatValue(acc)}`;
        const e = s.exemplars[i];
        if (openMetrics && e !== null && e !== undefined) {
          line += formatExemplar({ ...e, labels: renderLabels(e.labelSet) });
        }
        out.push(line);
      }
      out.push(sampleLine(`${this.name}_sum`, s.labels, s.sum));
      out.push(sampleLine(`${this.name}_count`, s.labels, s.count));
    }
  }

  reset(): void {
    this.series.clear();
    this.generation++;
  }
}

/** At least one label, and within the OpenMetrics length limit (a longer one is not kept). */
function fitsExemplar(labels: Readonly<Record<string, string>>): boolean {
  let chars = 0;
  let any = false;
  for (const k in labels) {
    any = true;
    chars += k.length + (labels[k]?.length ?? 0);
  }
  return any && chars <= EXEMPLAR_MAX_CHARS;
}
