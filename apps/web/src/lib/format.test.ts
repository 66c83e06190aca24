import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatBytes,
  formatCount,
  formatLatency,
  formatPercent,
  formatRps,
  formatTimestamp,
} from './format';

describe('formatRps', () => {
  it.each([
    [null, '—'],
    [Number.NaN, '—'],
    [0, '0'],
    [0.004, '<0.01'],
    [0.05, '0.05'],
    [1.234, '1.23'],
    [12.34, '12.3'],
    [250.4, '250'],
    [1234, '1.2k'],
    [2_500_000, '2.5M'],
  ])('%s -> %s', (v, want) => {
    expect(formatRps(v)).toBe(want);
  });
});

describe('formatPercent', () => {
  it.each([
    [null, '—'],
    [1, '100%'],
    [0, '0%'],
    [0.9995, '99.95%'],
    [0.5, '50.00%'],
  ])('%s -> %s', (v, want) => {
    expect(formatPercent(v)).toBe(want);
  });
});

describe('formatLatency', () => {
  it.each([
    [null, '—'],
    [0, '0ms'],
    [0.25, '250µs'],
    [2.5, '2.5ms'],
    [12.4, '12ms'],
    [100, '100ms'],
    [1000, '1s'],
    [999, '999ms'],
    [1250, '1.25s'],
    [125_000, '2m 5s'],
    [Number.POSITIVE_INFINITY, '∞'],
  ])('%s -> %s', (v, want) => {
    expect(formatLatency(v)).toBe(want);
  });
});

describe('other formats', () => {
  it('formats bytes, counts, timestamps and ages', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3 MiB');
    expect(formatCount(1234567.4)).toBe('1,234,567');
    expect(formatTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('2026-01-02 03:04:05Z');
    expect(formatAgo(1000, 6000)).toBe('5s ago');
    expect(formatAgo(0, 180_000)).toBe('3m ago');
    expect(formatAgo(0, 7_200_000)).toBe('2h ago');
    expect(formatAgo(null, 0)).toBe('—');
  });
});
