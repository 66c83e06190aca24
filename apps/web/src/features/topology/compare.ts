/*
 * Compare two periods: how rps, success and p99 changed, and whether the change is large enough to
 * colour. Small wiggles stay grey, so the colour points at what moved.
 */

export interface ComparableSignals {
  rps: number;
  /** 0..1 */
  successRate: number | null;
  latencyMs: { p99: number | null };
}

export type DeltaTone = 'bad' | 'good' | 'change' | 'none';

export interface SignalDelta {
  /** rps change in percent; null when the baseline had no traffic (see `isNew`) */
  rpsPct: number | null;
  /** success change in percentage points; null when either period had no traffic */
  srPp: number | null;
  /** p99 now / p99 then; null when either is unknown */
  p99Ratio: number | null;
  /** traffic now, none in the baseline */
  isNew: boolean;
  /** traffic in the baseline, none now */
  isGone: boolean;
  tone: { rps: DeltaTone; sr: DeltaTone; p99: DeltaTone; overall: DeltaTone };
}

/** What "large enough to matter" means (documented in the README). */
export const SIGNIFICANT = {
  /** rps changed by at least this many percent... */
  rpsPct: 20,
  /** ...on at least this much traffic in one of the periods */
  minRps: 0.1,
  /** success moved by at least this many percentage points */
  srPp: 1,
  /** p99 grew or shrank by at least this factor */
  p99Ratio: 1.5,
} as const;

export function signalDelta(now: ComparableSignals, then: ComparableSignals): SignalDelta {
  const rpsPct = then.rps > 0 ? ((now.rps - then.rps) / then.rps) * 100 : null;
  const srPp =
    now.successRate !== null && then.successRate !== null
      ? (now.successRate - then.successRate) * 100
      : null;
  const p99Now = now.latencyMs.p99;
  const p99Then = then.latencyMs.p99;
  const p99Ratio = p99Now !== null && p99Then !== null && p99Then > 0 ? p99Now / p99Then : null;
  const isNew = then.rps <= 0 && now.rps > 0;
  const isGone = then.rps > 0 && now.rps <= 0;
  const busy = Math.max(now.rps, then.rps) >= SIGNIFICANT.minRps;
  const rps: DeltaTone =
    busy && (isNew || isGone || (rpsPct !== null && Math.abs(rpsPct) >= SIGNIFICANT.rpsPct))
      ? 'change'
      : 'none';
  const sr: DeltaTone =
    srPp === null || Math.abs(srPp) < SIGNIFICANT.srPp ? 'none' : srPp < 0 ? 'bad' : 'good';
  const p99: DeltaTone =
    p99Ratio === null
      ? 'none'
      : p99Ratio >= SIGNIFICANT.p99Ratio
        ? 'bad'
        : p99Ratio <= 1 / SIGNIFICANT.p99Ratio
          ? 'good'
          : 'none';
  const tones = [sr, p99, rps];
  const overall: DeltaTone = tones.includes('bad') ? 'bad' : tones.includes('good') ? 'good' : rps;
  return { rpsPct, srPp, p99Ratio, isNew, isGone, tone: { rps, sr, p99, overall } };
}

const IDLE: ComparableSignals = { rps: 0, successRate: null, latencyMs: { p99: null } };

/** Deltas by id for everything present in either period (absent = no traffic). */
export function compareById<T extends ComparableSignals & { id: string }>(
  now: readonly T[],
  then: readonly T[],
): Map<string, SignalDelta> {
  const before = new Map(then.map((x) => [x.id, x]));
  const out = new Map<string, SignalDelta>();
  for (const x of now) out.set(x.id, signalDelta(x, before.get(x.id) ?? IDLE));
  const seen = new Set(now.map((x) => x.id));
  for (const x of then) if (!seen.has(x.id)) out.set(x.id, signalDelta(IDLE, x));
  return out;
}

const sign = (n: number) => (n > 0 ? '+' : n < 0 ? '−' : '±');

export function formatRpsDelta(d: SignalDelta): string {
  if (d.isNew) return 'new';
  if (d.isGone) return 'gone';
  if (d.rpsPct === null) return '—';
  return `${sign(d.rpsPct)}${Math.abs(d.rpsPct).toFixed(0)}%`;
}

export function formatSrDelta(d: SignalDelta): string {
  if (d.srPp === null) return '—';
  return `${sign(d.srPp)}${Math.abs(d.srPp).toFixed(2)} pp`;
}

export function formatP99Delta(d: SignalDelta): string {
  return d.p99Ratio === null ? '—' : `×${d.p99Ratio.toFixed(2)}`;
}
