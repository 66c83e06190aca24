import { describe, expect, it } from 'vitest';
import { LabelMerges, PathTable, remembered } from './labelSets';
import type { HttpLabels } from './metrics';

describe('PathTable', () => {
  it('finds a value by its four parts and tells parts apart', () => {
    const t = new PathTable<string>();
    expect(t.get('a', 'b', 'c', 'd')).toBeUndefined();
    expect(t.set('a', 'b', 'c', 'd', 'abcd')).toBe('abcd');
    t.set('a', 'b', 'c', '', 'abc');
    t.set('ab', '', 'c', 'd', 'ab-cd');
    expect(t.get('a', 'b', 'c', 'd')).toBe('abcd');
    expect(t.get('a', 'b', 'c', '')).toBe('abc');
    // no concatenated key: 'ab'+'' and 'a'+'b' are different paths
    expect(t.get('ab', '', 'c', 'd')).toBe('ab-cd');
    expect(t.get('a', 'bc', '', 'd')).toBeUndefined();
  });

  it('starts over when full, so untrusted label values cannot grow it without bound', () => {
    const t = new PathTable<number>(3);
    for (let i = 0; i < 3; i++) t.set(`host-${i}`, 's', '', '', i);
    expect(t.get('host-2', 's', '', '')).toBe(2);
    // replacing a value is no new entry
    t.set('host-2', 's', '', '', 22);
    expect(t.get('host-0', 's', '', '')).toBe(0);
    t.set('host-3', 's', '', '', 3);
    expect(t.get('host-0', 's', '', '')).toBeUndefined();
    expect(t.get('host-3', 's', '', '')).toBe(3);
  });
});

describe('LabelMerges', () => {
  it('merges a pair once: later labels win, the same pair gives the same object', () => {
    const m = new LabelMerges();
    const base: HttpLabels = { direction: 'outbound', tls: 'no_identity', authority: 'a' };
    const pod = { dst_pod: 'web-1', tls: 'true', server_id: 'spiffe://x/ns/a/sa/web' };
    const merged = m.merge(base, pod);
    expect(merged).toEqual({
      direction: 'outbound',
      tls: 'true',
      authority: 'a',
      dst_pod: 'web-1',
      server_id: 'spiffe://x/ns/a/sa/web',
    });
    expect(m.merge(base, pod)).toBe(merged);
    // an equal but different object is another pair (identity, not content)
    const other = m.merge(base, { ...pod });
    expect(other).not.toBe(merged);
    expect(other).toEqual(merged);
    expect(base).toEqual({ direction: 'outbound', tls: 'no_identity', authority: 'a' });
  });
});

describe('remembered', () => {
  it('computes once per argument, undefined results included, and starts over when full', () => {
    const calls: string[] = [];
    const keyOf = remembered((host: string) => {
      calls.push(host);
      return host.includes('.') ? host.split('.')[0] : undefined;
    }, 2);
    expect(keyOf('web.shop')).toBe('web');
    expect(keyOf('web.shop')).toBe('web');
    expect(keyOf('nowhere')).toBeUndefined();
    expect(keyOf('nowhere')).toBeUndefined();
    expect(calls).toEqual(['web.shop', 'nowhere']);
    keyOf('api.shop'); // the third key: the table starts over
    expect(keyOf('web.shop')).toBe('web');
    expect(calls).toEqual(['web.shop', 'nowhere', 'api.shop', 'web.shop']);
  });
});
