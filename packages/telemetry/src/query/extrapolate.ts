/**
 * Prometheus' extrapolatedRate (promql/functions.go) for a series known to have no counter
 * resets - the store's aggregates are reset-free by construction - so only the first and last
 * sample and the sample count matter. This is what lets a 1 h window over thousands of aggregates
 * stay cheap; `extrapolate.test.ts` checks it against `@meshlens/prom`'s increase() on the same
 * points.
 */
export interface WindowEnds {
  firstT: number;
  firstV: number;
  lastT: number;
  lastV: number;
  count: number;
}

export function extrapolatedIncrease(
  w: WindowEnds,
  rangeStartMs: number,
  rangeEndMs: number,
): number | undefined {
  if (w.count < 2) return undefined;
  const result = w.lastV - w.firstV;
  let durationToStart = (w.firstT - rangeStartMs) / 1000;
  const durationToEnd = (rangeEndMs - w.lastT) / 1000;
  const sampledInterval = (w.lastT - w.firstT) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (w.count - 1);
  if (result > 0 && w.firstV >= 0) {
    // counters cannot go below zero: do not extrapolate past the zero point
    const durationToZero = sampledInterval * (w.firstV / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageDurationBetweenSamples * 1.1;
  let extrapolateToInterval = sampledInterval;
  extrapolateToInterval +=
    durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2;
  extrapolateToInterval +=
    durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2;
  return result * (extrapolateToInterval / sampledInterval);
}
