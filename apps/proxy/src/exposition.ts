/**
 * The pieces of the Prometheus text format (0.0.4) and OpenMetrics 1.0 the proxy writes: label
 * sets, values, exemplars. Label values come from requests (Host headers, client identities,
 * service names) and end up in browsers, so every value is escaped here, once per series.
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';

export type LabelValues = Readonly<Record<string, string | undefined>>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function checkMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
}

export function checkLabelName(metric: string, label: string): void {
  // `le` belongs to histogram buckets, `__` prefixes are reserved for Prometheus itself
  if (!LABEL_NAME.test(label) || label.startsWith('__') || label === 'le') {
    throw new Error(`metric ${metric}: invalid label name ${JSON.stringify(label)}`);
  }
}

/** Label values and exemplar labels: backslash, double quote and line feed (both formats). */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** HELP text: backslash and line feed (a quote needs no escape there). */
export function escapeHelp(help: string): string {
  return help.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/**
 * `a="x",b="y"` in the key order of `labels`, skipping undefined values (a label that does not
 * apply is absent, as Linkerd's are). Empty when no label has a value.
 */
export function renderLabels(labels: LabelValues): string {
  let out = '';
  for (const name in labels) {
    const v = labels[name];
    if (v === undefined) continue;
    out += `${out === '' ? '' : ','}${name}="${escapeLabelValue(v)}"`;
  }
  return out;
}

/** Integers as integers, `+Inf`/`-Inf`/`NaN` as both formats spell them, others as JS prints them. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** One exemplar: the labels (a trace id), the observed value and when, in seconds. */
export interface Exemplar {
  labels: string;
  value: number;
  timestamp: number;
}

/** ` # {trace_id="..."} 3.5 1764505200.123`, appended to a bucket line (OpenMetrics only). */
export function formatExemplar(e: Exemplar): string {
  return ` # {${e.labels}} ${formatValue(e.value)} ${e.timestamp}`;
}
