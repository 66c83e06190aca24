/**
 * The proxy's metrics registry: counters and gauges with label sets, plus the hot-path
 * FastCounter/FastHistogram (fastMetrics.ts), rendered as Prometheus text 0.0.4 or OpenMetrics
 * 1.0. It replaces prom-client in the sidecar, where ~20 small series did not pay for the
 * library's idle memory (README, Metrics; ADR 0022). The output is the one prom-client 15 wrote
 * for the same metrics (family order, label order, blank lines, counters' `_total` in
 * OpenMetrics), so scrapers, the BFF and Linkerd-compatible queries see no change.
 */
import {
  checkLabelName,
  checkMetricName,
  escapeHelp,
  formatValue,
  renderLabels,
  type LabelValues,
} from './exposition';

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** One metric family the registry renders. */
export interface Collectable {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** Appends one line per sample; exemplars only when `openMetrics`. */
  writeSamples(out: string[], openMetrics: boolean): void;
}

/** A counter's samples: `x_total` in both formats, its family `x` in OpenMetrics. */
export function counterFamilyName(name: string, openMetrics: boolean): string {
  return openMetrics ? name.replace(/_total$/, '') : name;
}

export function counterSampleName(name: string, openMetrics: boolean): string {
  return openMetrics ? `${counterFamilyName(name, true)}_total` : name;
}

/** `name{labels} value`; no braces when the series has no labels. */
export function sampleLine(name: string, labels: string, value: number): string {
  return `${name}${labels === '' ? '' : `{${labels}}`} ${formatValue(value)}`;
}

type Labels<L extends string> = { readonly [K in L]?: string | undefined };

interface Series {
  /** rendered once, when the series is created: values are escaped once, not per scrape */
  readonly labels: string;
  value: number;
}

export interface ScalarOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  /** Reads the value at each scrape (metrics without labels: process CPU, memory). */
  collect?: () => number;
}

/** Counter and gauge: one number per label set. */
abstract class ScalarMetric<L extends string> implements Collectable {
  abstract readonly type: 'counter' | 'gauge';
  readonly name: string;
  readonly help: string;
  private readonly labelNames: readonly string[];
  private readonly known: ReadonlySet<string>;
  private readonly series = new Map<string, Series>();
  private readonly collect: (() => number) | undefined;

  constructor(opts: ScalarOptions<L>) {
    checkMetricName(opts.name);
    const names = opts.labelNames ?? [];
    for (const l of names) checkLabelName(opts.name, l);
    if (opts.collect !== undefined && names.length > 0) {
      throw new Error(`metric ${opts.name}: collect() is for metrics without labels`);
    }
    this.name = opts.name;
    this.help = opts.help;
    // the series key follows the declared names, so `{a, b}` and `{b, a}` are one series
    this.labelNames = [...names].sort();
    this.known = new Set(names);
    this.collect = opts.collect;
    this.reset();
  }

  /** Forgets every series (a metric without labels goes back to one series at 0). */
  reset(): void {
    this.series.clear();
    if (this.labelNames.length === 0) this.series.set('', { labels: '', value: 0 });
  }

  protected add(labels: Labels<L> | undefined, delta: number): void {
    this.check(delta);
    this.seriesOf(labels).value += delta;
  }

  protected put(labels: Labels<L> | undefined, value: number): void {
    this.check(value);
    this.seriesOf(labels).value = value;
  }

  /** Throws before anything changes: a bad call leaves the metric as it was. */
  protected check(n: number): void {
    if (!Number.isFinite(n)) {
      throw new TypeError(`metric ${this.name}: value must be a finite number, got ${String(n)}`);
    }
  }

  private seriesOf(labels: LabelValues = {}): Series {
    let key = '';
    for (const k in labels) {
      if (!this.known.has(k)) {
        const names = this.labelNames.length === 0 ? 'none' : this.labelNames.join(', ');
        throw new Error(`metric ${this.name}: unknown label "${k}" (labels: ${names})`);
      }
    }
    for (const k of this.labelNames) {
      const v = labels[k];
      if (v !== undefined) key += `${k}\u0001${v}\u0002`;
    }
    let s = this.series.get(key);
    if (s === undefined) {
      s = { labels: renderLabels(labels), value: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  writeSamples(out: string[], openMetrics: boolean): void {
    if (this.collect !== undefined) this.put(undefined, this.collect());
    const name = this.type === 'counter' ? counterSampleName(this.name, openMetrics) : this.name;
    for (const s of this.series.values()) out.push(sampleLine(name, s.labels, s.value));
  }
}

/** A value that only goes up (or is read from the process by `collect`). */
export class Counter<L extends string = never> extends ScalarMetric<L> {
  readonly type = 'counter';

  inc(n?: number): void;
  inc(labels: Labels<L>, n?: number): void;
  inc(labels?: Labels<L> | number, n = 1): void {
    const [l, by] = typeof labels === 'number' ? [undefined, labels] : [labels, n];
    if (by < 0) throw new RangeError(`metric ${this.name}: a counter cannot go down (inc ${by})`);
    this.add(l, by);
  }
}

/** A value that goes up and down, or is set. */
export class Gauge<L extends string = never> extends ScalarMetric<L> {
  readonly type = 'gauge';

  inc(n?: number): void;
  inc(labels: Labels<L>, n?: number): void;
  inc(labels?: Labels<L> | number, n = 1): void {
    if (typeof labels === 'number') this.add(undefined, labels);
    else this.add(labels, n);
  }

  dec(n?: number): void;
  dec(labels: Labels<L>, n?: number): void;
  dec(labels?: Labels<L> | number, n = 1): void {
    if (typeof labels === 'number') this.add(undefined, -labels);
    else this.add(labels, -n);
  }

  set(value: number): void;
  set(labels: Labels<L>, value: number): void;
  set(labels: Labels<L> | number, value?: number): void {
    if (typeof labels === 'number') this.put(undefined, labels);
    else this.put(labels, value ?? Number.NaN);
  }
}

/** Holds the families in registration order (the order they are rendered in). */
export class MetricsRegistry {
  private readonly metrics = new Map<string, Collectable>();

  register<M extends Collectable>(metric: M): M {
    checkMetricName(metric.name);
    if (this.metrics.has(metric.name)) {
      throw new Error(`a metric named ${metric.name} is already registered`);
    }
    this.metrics.set(metric.name, metric);
    return metric;
  }

  counter<L extends string = never>(opts: ScalarOptions<L>): Counter<L> {
    return this.register(new Counter<L>(opts));
  }

  gauge<L extends string = never>(opts: ScalarOptions<L>): Gauge<L> {
    return this.register(new Gauge<L>(opts));
  }

  /** The exposition: Prometheus text 0.0.4, or OpenMetrics 1.0 with exemplars and `# EOF`. */
  render(openMetrics: boolean): string {
    const families: string[] = [];
    for (const m of this.metrics.values()) {
      const family = m.type === 'counter' ? counterFamilyName(m.name, openMetrics) : m.name;
      const lines = [`# HELP ${family} ${escapeHelp(m.help)}`, `# TYPE ${family} ${m.type}`];
      m.writeSamples(lines, openMetrics);
      families.push(lines.join('\n'));
    }
    // prom-client's layout: a blank line between families in 0.0.4, none in OpenMetrics
    return openMetrics ? `${families.join('\n')}\n# EOF\n` : `${families.join('\n\n')}\n`;
  }
}
