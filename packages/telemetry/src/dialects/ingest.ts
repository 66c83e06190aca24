import { parseExposition } from '@meshlens/prom';
import type { FoldResult, TargetLabels } from '../model';
import { foldScrape } from './fold';
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

/** Parses (only the families a dialect reads) and folds one scrape body. Throws on bad input. */
export function ingestScrape(
  text: string,
  contentType: string | undefined,
  target: TargetLabels,
  state: SeriesState,
): { result: FoldResult; state: SeriesState } {
  const families = parseExposition(text, {
    ...(contentType ? { contentType } : {}),
    keep: (name) =>
      isRelevantFamily(name) || name.startsWith('meshlens_') || name.startsWith('istio_'),
  });
  return foldScrape({ families, target, state, series: countSeries(text) });
}
