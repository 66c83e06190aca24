// Time range and refresh interval: the part of the URL every view shares.
import { DEFAULT_WINDOW, WINDOW_MS, WINDOWS, type Window } from '@meshlens/contract';

export { DEFAULT_WINDOW, WINDOW_MS, WINDOWS };
export type TimeWindow = Window;

export type TimeRange =
  { kind: 'window'; window: TimeWindow } | { kind: 'absolute'; from: number; to: number };

export const REFRESH_CHOICES = [0, 2000, 5000, 10_000, 30_000] as const;
export const DEFAULT_REFRESH_MS = 5000;

export interface TimeState {
  range: TimeRange;
  /** 0 means paused. */
  refreshMs: number;
}

export const DEFAULT_TIME: TimeState = {
  range: { kind: 'window', window: DEFAULT_WINDOW },
  refreshMs: DEFAULT_REFRESH_MS,
};

function isWindow(v: string | null): v is TimeWindow {
  return v !== null && (WINDOWS as readonly string[]).includes(v);
}

function parseMs(v: string | null): number | undefined {
  if (v === null || !/^\d{1,15}$/.test(v)) return undefined;
  return Number(v);
}

export function parseRefresh(v: string | null): number {
  if (v === null) return DEFAULT_REFRESH_MS;
  if (v === 'off' || v === '0') return 0;
  const m = /^(\d{1,4})s$/.exec(v);
  if (m?.[1] !== undefined) return Math.max(1, Number(m[1])) * 1000;
  return DEFAULT_REFRESH_MS;
}

export function formatRefresh(ms: number): string {
  return ms === 0 ? 'off' : `${Math.round(ms / 1000)}s`;
}

export function parseTime(
  params: URLSearchParams,
  defaultWindow: TimeWindow = DEFAULT_WINDOW,
): TimeState {
  const refreshMs = parseRefresh(params.get('refresh'));
  const from = parseMs(params.get('from'));
  const to = parseMs(params.get('to'));
  if (from !== undefined && to !== undefined && from < to) {
    return { range: { kind: 'absolute', from, to }, refreshMs };
  }
  const w = params.get('window');
  return { range: { kind: 'window', window: isWindow(w) ? w : defaultWindow }, refreshMs };
}

/** Writes only non-default values so links stay short. */
export function writeTime(
  params: URLSearchParams,
  t: TimeState,
  defaultWindow: TimeWindow = DEFAULT_WINDOW,
): void {
  if (t.range.kind === 'absolute') {
    params.set('from', String(t.range.from));
    params.set('to', String(t.range.to));
  } else if (t.range.window !== defaultWindow) {
    params.set('window', t.range.window);
  }
  if (t.refreshMs !== DEFAULT_REFRESH_MS) params.set('refresh', formatRefresh(t.refreshMs));
}

/** Pins a relative window to the absolute period it covers right now. */
export function pinRange(range: TimeRange, now: number): TimeRange {
  if (range.kind === 'absolute') return range;
  return { kind: 'absolute', from: now - WINDOW_MS[range.window], to: now };
}

/** Absolute ranges never change, so refreshing them is pointless. */
export function effectiveRefresh(t: TimeState): number {
  return t.range.kind === 'absolute' ? 0 : t.refreshMs;
}

export function rangeToQuery(range: TimeRange): Record<string, string> {
  return range.kind === 'window'
    ? { window: range.window }
    : { from: String(range.from), to: String(range.to) };
}
