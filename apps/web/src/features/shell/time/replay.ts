import { WINDOW_MS, type TimeWindow } from '../../../lib/timeUrl';

export const REPLAY_STEPS = [
  { label: '10 s', ms: 10_000 },
  { label: '1 m', ms: 60_000 },
] as const;
export const REPLAY_SPEEDS = [1, 2, 5, 10] as const;

export interface ReplayBounds {
  min: number;
  max: number;
}

/**
 * The instants the slider offers: the first one whose whole window has data, up to the latest
 * sample, on multiples of the step (so links and steps land on the same instants).
 */
export function replayBounds(
  history: { earliestMs: number | null; latestMs: number | null },
  window: TimeWindow,
  stepMs: number,
): ReplayBounds | undefined {
  if (history.earliestMs === null || history.latestMs === null) return undefined;
  const min = Math.ceil((history.earliestMs + WINDOW_MS[window]) / stepMs) * stepMs;
  const max = Math.floor(history.latestMs / stepMs) * stepMs;
  return min <= max ? { min, max } : undefined;
}

export function clampInstant(at: number, b: ReplayBounds): number {
  return Math.min(b.max, Math.max(b.min, at));
}
