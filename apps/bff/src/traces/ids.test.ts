import { describe, expect, it } from 'vitest';
import { nanosToMs } from './otlp';
import { normalizeId } from './ids';

describe('trace ids', () => {
  it('normalizes hex, 64-bit Zipkin and base64 ids', () => {
    expect(normalizeId('5B8EFFF798038103D269B633813FC60C', 16)).toBe(
      '5b8efff798038103d269b633813fc60c',
    );
    expect(normalizeId('463ac35c9f6413ad', 16)).toBe('0000000000000000463ac35c9f6413ad');
    expect(normalizeId('W47/95gDgQPSabYzgT/GDA==', 16)).toBe('5b8efff798038103d269b633813fc60c');
    expect(normalizeId('AQIDBAUGBwg=', 8)).toBe('0102030405060708');
  });

  it('rejects the rest', () => {
    expect(normalizeId('', 16)).toBeUndefined();
    expect(normalizeId('0'.repeat(32), 16)).toBeUndefined();
    expect(normalizeId('xyz', 8)).toBeUndefined();
    expect(normalizeId('AQID', 8)).toBeUndefined();
  });
});

describe('nanosToMs', () => {
  it('keeps microseconds from strings, numbers and Long bits', () => {
    expect(nanosToMs('1764000000123456789')).toBe(1764000000123.456);
    expect(nanosToMs(1_500_000)).toBe(1.5);
    expect(nanosToMs({ low: 1_000_000, high: 0 })).toBe(1);
    expect(nanosToMs('soon')).toBeUndefined();
  });
});
