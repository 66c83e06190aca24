// Per-route default time windows: the one table (a route not listed uses DEFAULT_WINDOW).
// "Back to live" returns to this default, and links omit it.
import { DEFAULT_WINDOW, type TimeWindow } from './timeUrl';

export const ROUTE_DEFAULT_WINDOWS: readonly { prefix: string; window: TimeWindow }[] = [
  // Traces are sparse: a longer period finds something to show.
  { prefix: '/traces', window: '1h' },
];

export function defaultWindowFor(pathname: string): TimeWindow {
  return ROUTE_DEFAULT_WINDOWS.find((r) => pathname.startsWith(r.prefix))?.window ?? DEFAULT_WINDOW;
}
