import { describe, expect, it } from 'vitest';
import { buildShareLink } from './share';
import {
  compareWithOffset,
  effectiveRefresh,
  parseTime,
  pinRange,
  rangeToQuery,
  writeTime,
} from './timeUrl';
import { defaultWindowFor } from './timeDefaults';
import { normalizeBasePath, withBase } from './basePath';

describe('time URL state', () => {
  it('defaults to the last minute, refreshing every 5s', () => {
    expect(parseTime(new URLSearchParams(''))).toEqual({
      range: { kind: 'window', window: '1m' },
      refreshMs: 5000,
    });
  });

  it('parses window, absolute range and refresh including paused', () => {
    expect(parseTime(new URLSearchParams('window=15m&refresh=off'))).toEqual({
      range: { kind: 'window', window: '15m' },
      refreshMs: 0,
    });
    expect(parseTime(new URLSearchParams('from=1000&to=2000&refresh=10s'))).toEqual({
      range: { kind: 'absolute', from: 1000, to: 2000 },
      refreshMs: 10_000,
    });
  });

  it('ignores invalid values', () => {
    expect(parseTime(new URLSearchParams('window=2d&from=5&to=1&refresh=soon'))).toEqual({
      range: { kind: 'window', window: '1m' },
      refreshMs: 5000,
    });
  });

  it('round-trips through writeTime', () => {
    for (const search of [
      '',
      'window=1h',
      'refresh=off',
      'from=10&to=20',
      'window=5m&refresh=30s',
      'at=600000',
      'at=600000&window=15m',
      'from=10&to=20&cfrom=1&cto=5',
    ]) {
      const t = parseTime(new URLSearchParams(search));
      const p = new URLSearchParams();
      writeTime(p, t);
      expect(parseTime(p)).toEqual(t);
    }
  });

  it('pins a window to an absolute range and never refreshes absolute ranges', () => {
    expect(pinRange({ kind: 'window', window: '5m' }, 1_000_000)).toEqual({
      kind: 'absolute',
      from: 700_000,
      to: 1_000_000,
    });
    expect(effectiveRefresh({ range: { kind: 'absolute', from: 1, to: 2 }, refreshMs: 5000 })).toBe(
      0,
    );
  });
});

describe('replay and compare in the URL', () => {
  it('a replay instant is the window that ends at `at`, never refreshed', () => {
    const t = parseTime(new URLSearchParams('at=4000000&window=5m'));
    expect(t.range).toEqual({ kind: 'instant', at: 4_000_000, window: '5m' });
    expect(rangeToQuery(t.range)).toEqual({ from: '3700000', to: '4000000' });
    expect(effectiveRefresh(t)).toBe(0);
    expect(pinRange(t.range, 9_999_999)).toEqual({
      kind: 'absolute',
      from: 3_700_000,
      to: 4_000_000,
    });
  });

  it('a comparison needs a pinned range and a valid baseline', () => {
    expect(parseTime(new URLSearchParams('from=10&to=20&cfrom=1&cto=5')).compare).toEqual({
      from: 1,
      to: 5,
    });
    expect(parseTime(new URLSearchParams('window=5m&cfrom=1&cto=5')).compare).toBeUndefined();
    expect(parseTime(new URLSearchParams('from=10&to=20&cfrom=5&cto=1')).compare).toBeUndefined();
  });

  it('"vs 1 hour earlier" pins both periods so a link shows the same two', () => {
    const live = parseTime(new URLSearchParams('window=15m'));
    const c = compareWithOffset(live, 3_600_000, 10_000_000);
    const p = new URLSearchParams();
    writeTime(p, c);
    expect(p.toString()).toBe('from=9100000&to=10000000&cfrom=5500000&cto=6400000');
  });

  it('route defaults live in one table: traces default to 1h, elsewhere 1m', () => {
    expect(defaultWindowFor('/traces/abc')).toBe('1h');
    expect(defaultWindowFor('/namespaces/shop')).toBe('1m');
  });
});

describe('share links', () => {
  it('keeps the view and optionally pins the period', () => {
    const base = {
      origin: 'http://127.0.0.1:50750',
      basePath: '/meshlens',
      pathname: '/namespaces/shop',
      search: '?sort=name&window=5m',
      now: 1_000_000,
    };
    expect(buildShareLink({ ...base, pin: false })).toBe(
      'http://127.0.0.1:50750/meshlens/namespaces/shop?sort=name&window=5m',
    );
    expect(buildShareLink({ ...base, pin: true })).toBe(
      'http://127.0.0.1:50750/meshlens/namespaces/shop?sort=name&from=700000&to=1000000',
    );
  });
});

describe('base path', () => {
  it('normalizes what the server injects', () => {
    expect(normalizeBasePath('/')).toBe('/');
    expect(normalizeBasePath('')).toBe('/');
    expect(normalizeBasePath(null)).toBe('/');
    expect(normalizeBasePath('/x/')).toBe('/x');
    expect(normalizeBasePath('/a/b')).toBe('/a/b');
    expect(normalizeBasePath('javascript:alert(1)')).toBe('/');
    expect(withBase('/', '/api/v1/stat')).toBe('/api/v1/stat');
    expect(withBase('/x', '/api/v1/stat')).toBe('/x/api/v1/stat');
  });
});
