import { withBase } from './basePath';
import { parseTime, pinRange, TIME_KEYS, writeTime, type TimeWindow } from './timeUrl';

/**
 * The link a colleague opens. With `pin`, a relative window (or a replay instant) becomes the
 * absolute from/to it covers at `now`, so the receiver sees the same period instead of "the last
 * 5 minutes".
 */
export function buildShareLink(opts: {
  origin: string;
  basePath: string;
  pathname: string;
  search: string;
  pin: boolean;
  now: number;
  defaultWindow?: TimeWindow;
}): string {
  const params = new URLSearchParams(opts.search);
  if (opts.pin) {
    const t = parseTime(params, opts.defaultWindow);
    for (const k of TIME_KEYS) params.delete(k);
    writeTime(params, { ...t, range: pinRange(t.range, opts.now) }, opts.defaultWindow);
  }
  const s = params.toString();
  return `${opts.origin}${withBase(opts.basePath, opts.pathname)}${s === '' ? '' : `?${s}`}`;
}
