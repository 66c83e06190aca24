export type MetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'summary'
  | 'untyped'
  | 'unknown'
  | 'info'
  | 'stateset'
  | 'gaugehistogram';

export interface Exemplar {
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export interface Sample {
  /** Full series name, e.g. `response_latency_ms_bucket`. */
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
  exemplar?: Exemplar;
}

export interface MetricFamily {
  /** Family name, e.g. `response_latency_ms` for a histogram. */
  name: string;
  type: MetricType;
  help?: string;
  unit?: string;
  samples: Sample[];
}

export interface ParseOptions {
  /** `application/openmetrics-text...` selects OpenMetrics 1.0; anything else the text format 0.0.4. */
  contentType?: string;
  /** Return false to skip a family: its samples are not built. */
  keep?: (familyName: string) => boolean;
}

/**
 * Receives each kept sample as it is parsed, in input order: `family` is the family it belongs to
 * as declared so far (in the text format a TYPE line after a family's samples changes the type
 * only for what follows). Samples handed to a sink are not collected.
 */
export type SampleSink = (
  family: MetricFamily,
  sample: Sample,
  /** with `known`, in the text format: the series' hash as written (see `KnownSeries`) */
  seriesHash?: number,
) => void;

/**
 * A consumer that remembers series it has seen (per target, as Prometheus' scrape cache does)
 * can spare the parser their labels. Text format only, and only for lines whose metric name comes
 * before the braces: each such series is hashed as written (`seriesTextHash` of its name and
 * labels up to the closing brace, whitespace included) before its labels are parsed, and
 * `isKnown(family, hash)` decides; a known one goes to `onKnown` with its value, no labels read.
 * Its text hashed the same as a series the consumer saw parse without error, so it parses the
 * same; anything else is parsed in full.
 */
export interface KnownSeries {
  isKnown(family: MetricFamily, seriesHash: number): boolean;
  onKnown(
    family: MetricFamily,
    seriesHash: number,
    value: number,
    timestampMs: number | undefined,
  ): void;
}

export interface VisitOptions extends ParseOptions {
  onSample: SampleSink;
  known?: KnownSeries;
}
