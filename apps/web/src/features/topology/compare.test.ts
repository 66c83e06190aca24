import { describe, expect, it } from 'vitest';
import {
  compareById,
  formatP99Delta,
  formatRpsDelta,
  formatSrDelta,
  signalDelta,
  type ComparableSignals,
} from './compare';

const s = (rps: number, successRate: number | null, p99: number | null): ComparableSignals => ({
  rps,
  successRate,
  latencyMs: { p99 },
});

describe('compare deltas', () => {
  it('rps in percent, success in percentage points, p99 as a ratio', () => {
    const d = signalDelta(s(15, 0.97, 300), s(10, 0.995, 100));
    expect(d.rpsPct).toBeCloseTo(50, 10);
    expect(d.srPp).toBeCloseTo(-2.5, 10);
    expect(d.p99Ratio).toBe(3);
    expect([formatRpsDelta(d), formatSrDelta(d), formatP99Delta(d)]).toEqual([
      '+50%',
      '−2.50 pp',
      '×3.00',
    ]);
    expect(d.tone).toEqual({ rps: 'change', sr: 'bad', p99: 'bad', overall: 'bad' });
  });

  it('colours only changes large enough to matter', () => {
    const small = signalDelta(s(11, 0.992, 120), s(10, 0.995, 100));
    expect(small.tone).toEqual({ rps: 'none', sr: 'none', p99: 'none', overall: 'none' });
    // +30% of almost nothing is noise
    expect(signalDelta(s(0.013, 1, 5), s(0.01, 1, 5)).tone.rps).toBe('none');
    const better = signalDelta(s(10, 0.999, 40), s(10, 0.95, 100));
    expect(better.tone).toEqual({ rps: 'none', sr: 'good', p99: 'good', overall: 'good' });
  });

  it('new and gone traffic, and periods without traffic', () => {
    const d = signalDelta(s(2, 1, 10), s(0, null, null));
    expect([d.isNew, d.rpsPct, d.srPp, d.p99Ratio]).toEqual([true, null, null, null]);
    expect(formatRpsDelta(d)).toBe('new');
    expect(d.tone.overall).toBe('change');
    const both = compareById([{ id: 'a', ...s(1, 1, 5) }], [{ id: 'b', ...s(3, 1, 5) }]);
    expect(formatRpsDelta(both.get('a') ?? signalDelta(s(0, null, null), s(0, null, null)))).toBe(
      'new',
    );
    expect(both.get('b')?.isGone).toBe(true);
  });
});
