import { parseOpenMetrics } from './openMetricsParser';
import { parseText } from './textParser';
import type { MetricFamily, ParseOptions } from './types';

const OPENMETRICS = 'application/openmetrics-text';

/**
 * Parses a scrape. `application/openmetrics-text...` selects OpenMetrics 1.0 (strict); anything
 * else the Prometheus text format 0.0.4 as Prometheus itself scrapes it (lenient where it is).
 * Throws ExpositionParseError on invalid input.
 */
export function parseExposition(text: string, options?: ParseOptions): MetricFamily[] {
  const contentType = options?.contentType?.trimStart().slice(0, OPENMETRICS.length).toLowerCase();
  if (contentType === OPENMETRICS) return parseOpenMetrics(text, options?.keep);
  return parseText(text, options?.keep);
}
