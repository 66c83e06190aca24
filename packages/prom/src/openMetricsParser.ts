import type { MetricFamily } from './types';
import { parseText } from './textParser';

export function parseOpenMetrics(
  s: string,
  keep: ((name: string) => boolean) | undefined,
): MetricFamily[] {
  return parseText(s.replace(/# EOF\n?$/, ''), keep);
}
