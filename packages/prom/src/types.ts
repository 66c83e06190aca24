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
export type SampleSink = (family: MetricFamily, sample: Sample) => void;

export interface VisitOptions extends ParseOptions {
  onSample: SampleSink;
}
