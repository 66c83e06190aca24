// Time range, replay instant, comparison baseline and refresh interval: the part of the URL every
// view shares. Parsed in one place (features/shell/time/TimeProvider), written by every link.
import { DEFAULT_WINDOW, WINDOW_MS, WINDOWS, type Window } from '@meshlens/contract';

export { DEFAULT_WINDOW, WINDOW_MS, WINDOWS };
export type TimeWindow = Window;

/**
 * `window`: the last N minutes, live. `absolute`: a pinned period. `instant`: replay, the window
 * that ends at `at` (the slider moves `at`, the window stays the user's choice).
 */
export type TimeRange =
  | { kind: 'window'; window: TimeWindow }
  | { kind: 'absolute'; from: number; to: number }
  | { kind: 'instant'; at: number; window: TimeWindow };

/** A period the current range is compared against (always pinned: a link shows the same). */
export interface TimeCompare {
  from: number;
  to: number;
}

export const REFRESH_CHOICES = [0, 2000, 5000, 10_000, 30_000] as const;
export const DEFAULT_REFRESH_MS = 5000;

export interface TimeState {
  range: TimeRange;
  /** 0 means paused. */
  refreshMs: number;
  /** only with an absolute range */
  compare?: TimeCompare | undefined;
}

export const DEFAULT_TIME: TimeState = {
  range: { kind: 'window', window: DEFAULT_WINDOW },
  refreshMs: DEFAULT_REFRESH_MS,
};

/** Every URL parameter that belongs to time (navigation keeps them, share links rewrite them). */
export const TIME_KEYS = ['window', 'from', 'to', 'at', 'cfrom', 'cto', 'refresh'] as const;

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

function parseRange(params: URLSearchParams, defaultWindow: TimeWindow): TimeRange {
  const w = params.get('window');
  const window = isWindow(w) ? w : defaultWindow;
  const at = parseMs(params.get('at'));
  if (at !== undefined) return { kind: 'instant', at, window };
  const from = parseMs(params.get('from'));
  const to = parseMs(params.get('to'));
  if (from !== undefined && to !== undefined && from < to) return { kind: 'absolute', from, to };
  return { kind: 'window', window };
}

export function parseTime(
  params: URLSearchParams,
  defaultWindow: TimeWindow = DEFAULT_WINDOW,
): TimeState {
  const refreshMs = parseRefresh(params.get('refresh'));
  const range = parseRange(params, defaultWindow);
  const cfrom = parseMs(params.get('cfrom'));
  const cto = parseMs(params.get('cto'));
  if (range.kind === 'absolute' && cfrom !== undefined && cto !== undefined && cfrom < cto) {
    return { range, refreshMs, compare: { from: cfrom, to: cto } };
  }
  return { range, refreshMs };
}

/** Writes only non-default values so links stay short. */
export function writeTime(
  params: URLSearchParams,
  t: TimeState,
  defaultWindow: TimeWindow = DEFAULT_WINDOW,
): void {
  const r = t.range;
  if (r.kind === 'absolute') {
    params.set('from', String(r.from));
    params.set('to', String(r.to));
    if (t.compare) {
      params.set('cfrom', String(t.compare.from));
      params.set('cto', String(t.compare.to));
    }
  } else {
    if (r.kind === 'instant') params.set('at', String(r.at));
    if (r.window !== defaultWindow) params.set('window', r.window);
  }
  if (t.refreshMs !== DEFAULT_REFRESH_MS) params.set('refresh', formatRefresh(t.refreshMs));
}

/** The absolute period a range covers at `now`. */
export function resolveRange(range: TimeRange, now: number): { from: number; to: number } {
  switch (range.kind) {
    case 'absolute':
      return { from: range.from, to: range.to };
    case 'instant':
      return { from: range.at - WINDOW_MS[range.window], to: range.at };
    case 'window':
      return { from: now - WINDOW_MS[range.window], to: now };
  }
}

/** Pins a relative window (or a replay instant) to the absolute period it covers. */
export function pinRange(range: TimeRange, now: number): TimeRange {
  if (range.kind === 'absolute') return range;
  return { kind: 'absolute', ...resolveRange(range, now) };
}

/** Only a live window refreshes: pinned periods and replay instants never change. */
export function effectiveRefresh(t: TimeState): number {
  return t.range.kind === 'window' ? t.refreshMs : 0;
}

export function rangeToQuery(range: TimeRange): Record<string, string> {
  if (range.kind === 'window') return { window: range.window };
  const r = resolveRange(range, 0);
  return { from: String(r.from), to: String(r.to) };
}

/** Compare presets: the same period shifted back by this much. */
export const COMPARE_OFFSETS = [
  { label: '1 hour earlier', ms: 3_600_000 },
  { label: '1 day earlier', ms: 86_400_000 },
  { label: '1 week earlier', ms: 7 * 86_400_000 },
] as const;

/**
 * Starts a comparison "this period vs the same period `offsetMs` earlier": both ranges pinned at
 * `now`, so the link shows the same two periods to whoever opens it.
 */
export function compareWithOffset(t: TimeState, offsetMs: number, now: number): TimeState {
  const r = resolveRange(t.range, now);
  return {
    ...t,
    range: { kind: 'absolute', ...r },
    compare: { from: r.from - offsetMs, to: r.to - offsetMs },
  };
}
