import { visitExposition } from '@meshlens/prom';
import type { FoldResult, TargetLabels } from '../model';
import { ScrapeFolder } from './fold';
import { isRelevantFamily } from './route';
import type { SeriesState } from './seriesState';

/** Sample lines in an exposition (for target health), without parsing it. */
export function countSeries(text: string): number {
  let n = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const c = text.charCodeAt(start);
    // not a comment, not blank
    if (end > start && c !== 35 && c !== 10 && c !== 13 && c !== 32) n++;
    start = end + 1;
  }
  return n;
}

/** Default cap on the series of one target's scrape (Prometheus calls it sample_limit). */
export const DEFAULT_MAX_SERIES = 50_000;

/**
 * Parses (only the families a dialect reads) and folds one scrape body, each sample as it is read.
 * Throws on bad input, with `state` untouched.
 * A body with more than `maxSeries` series is not parsed at all (counting lines is cheap): the
 * target is capped, its previous counter state kept, and nothing else pays for it.
 */
export function ingestScrape(
  text: string,
  contentType: string | undefined,
  target: TargetLabels,
  state: SeriesState,
  maxSeries = DEFAULT_MAX_SERIES,
  /** fold series seen before from their value alone (tests turn it off to compare) */
  rememberSeries = true,
): { result: FoldResult; state: SeriesState } {
  const series = countSeries(text);
  if (series > maxSeries) {
    const capped = `series limit: ${series.toLocaleString('en-US')} series, more than the ${maxSeries.toLocaleString('en-US')} allowed per target; scrape dropped`;
    return { result: { dialect: 'unknown', series, records: [], capped }, state };
  }
  const folder = new ScrapeFolder(target, state, series);
  visitExposition(text, {
    ...(contentType ? { contentType } : {}),
    keep: (name) =>
      isRelevantFamily(name) || name.startsWith('meshlens_') || name.startsWith('istio_'),
    onSample: folder.add,
    ...(rememberSeries ? { known: folder } : {}),
  });
  return folder.finish(series);
}
