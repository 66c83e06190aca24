import { parseOpenMetrics } from './openMetricsParser';
import { parseText } from './textParser';
import type { KnownSeries, MetricFamily, ParseOptions, SampleSink, VisitOptions } from './types';

const OPENMETRICS = 'application/openmetrics-text';

/**
 * Parses a scrape. `application/openmetrics-text...` selects OpenMetrics 1.0 (strict); anything
 * else the Prometheus text format 0.0.4 as Prometheus itself scrapes it (lenient where it is).
 * Throws ExpositionParseError on invalid input.
 */
export function parseExposition(text: string, options?: ParseOptions): MetricFamily[] {
  return run(text, options, undefined);
}

/**
 * Parses a scrape as parseExposition does (same checks, same errors), handing each kept sample to
 * `onSample` as soon as it is read instead of collecting families: a consumer that folds samples
 * as they come keeps none of them alive, which is what a parse of thousands of series allocates
 * and a young generation must otherwise copy. Throws as parseExposition throws, possibly after
 * samples were handed over: whatever the sink built from them must then be discarded.
 */
export function visitExposition(text: string, options: VisitOptions): void {
  run(text, options, options.onSample, options.known);
}

function run(
  text: string,
  options: ParseOptions | undefined,
  sink: SampleSink | undefined,
  known?: KnownSeries,
): MetricFamily[] {
  const contentType = options?.contentType?.trimStart().slice(0, OPENMETRICS.length).toLowerCase();
  if (contentType === OPENMETRICS) return parseOpenMetrics(text, options?.keep, sink);
  return parseText(text, options?.keep, sink, known);
}
