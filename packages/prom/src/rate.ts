// increase/rate/irate with the semantics of Prometheus' extrapolatedRate and instantValue for
// float samples. The range is left-open, as in Prometheus 3: a sample at exactly rangeStartMs is
// not in the window. Fewer than two samples in the window -> undefined (PromQL drops the series).

export interface Point {
  /** Milliseconds. */
  t: number;
  v: number;
}

function windowBounds(points: Point[], startMs: number, endMs: number): [number, number] {
  let first = 0;
  while (first < points.length && (points[first]?.t ?? 0) <= startMs) first++;
  let last = points.length - 1;
  while (last >= first && (points[last]?.t ?? 0) > endMs) last--;
  return [first, last];
}

function extrapolatedRate(
  points: Point[],
  rangeStartMs: number,
  rangeEndMs: number,
  isRate: boolean,
): number | undefined {
  const [first, last] = windowBounds(points, rangeStartMs, rangeEndMs);
  if (last - first < 1) return undefined;
  const firstPoint = points[first] as Point;
  const lastPoint = points[last] as Point;
  let result = lastPoint.v - firstPoint.v;
  let prev = firstPoint.v;
  // A decrease is a counter reset: the counter restarted from zero, add what it had reached.
  for (let k = first + 1; k <= last; k++) {
    const v = (points[k] as Point).v;
    if (v < prev) result += prev;
    prev = v;
  }
  const count = last - first + 1;
  let durationToStart = (firstPoint.t - rangeStartMs) / 1000;
  const durationToEnd = (rangeEndMs - lastPoint.t) / 1000;
  const sampledInterval = (lastPoint.t - firstPoint.t) / 1000;
  const averageInterval = sampledInterval / (count - 1);
  // Counters cannot go below zero: do not extrapolate the start beyond the zero point.
  if (result > 0 && firstPoint.v >= 0) {
    const durationToZero = sampledInterval * (firstPoint.v / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  // Extrapolate to a window edge only when it is close (1.1 average intervals), else by half
  // an interval: the series probably started or ended inside the window.
  const threshold = averageInterval * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo += durationToStart < threshold ? durationToStart : averageInterval / 2;
  extrapolateTo += durationToEnd < threshold ? durationToEnd : averageInterval / 2;
  let factor = extrapolateTo / sampledInterval;
  if (isRate) factor /= (rangeEndMs - rangeStartMs) / 1000;
  return result * factor;
}

/** PromQL `increase(x[range])` evaluated at rangeEndMs over (rangeStartMs, rangeEndMs]. */
export function increase(
  points: Point[],
  rangeStartMs: number,
  rangeEndMs: number,
): number | undefined {
  return extrapolatedRate(points, rangeStartMs, rangeEndMs, false);
}

/** PromQL `rate(x[range])` (per second) evaluated at rangeEndMs. */
export function rate(
  points: Point[],
  rangeStartMs: number,
  rangeEndMs: number,
): number | undefined {
  return extrapolatedRate(points, rangeStartMs, rangeEndMs, true);
}

/** PromQL `irate`: per-second rate between the last two points given (the caller's window). */
export function irate(points: Point[]): number | undefined {
  if (points.length < 2) return undefined;
  const last = points[points.length - 1] as Point;
  const previous = points[points.length - 2] as Point;
  const delta = last.v < previous.v ? last.v : last.v - previous.v;
  const intervalMs = last.t - previous.t;
  if (intervalMs === 0) return undefined;
  return delta / (intervalMs / 1000);
}
