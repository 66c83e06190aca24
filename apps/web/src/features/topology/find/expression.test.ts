import { describe, expect, it } from 'vitest';
import { parseExpression, type NodeFacts } from './expression';

const base: NodeFacts = {
  namespace: 'shop',
  name: 'web',
  rps: 0,
  sr: null,
  p50: null,
  p95: null,
  p99: null,
  mtls: null,
};
const nodes: NodeFacts[] = [
  { ...base, name: 'web', rps: 40, sr: 99.9, p50: 20, p95: 80, p99: 120, mtls: true },
  { ...base, name: 'reviews-v2', rps: 3, sr: 91, p50: 300, p95: 700, p99: 900, mtls: true },
  { ...base, namespace: 'payments', name: 'payments', rps: 5, sr: 82, p99: 80, mtls: false },
  { ...base, namespace: 'platform', name: 'batch', rps: 0 },
];

function names(src: string): string[] {
  const r = parseExpression(src);
  if (!r.ok) throw new Error(r.error);
  return nodes.filter(r.predicate).map((n) => n.name);
}

function error(src: string): string {
  const r = parseExpression(src);
  if (r.ok) throw new Error(`"${src}" parsed`);
  return r.error;
}

describe('find/hide expressions', () => {
  it('compares numbers: rps, success in percent, latency with units', () => {
    expect(names('rps > 1')).toEqual(['web', 'reviews-v2', 'payments']);
    expect(names('sr < 95')).toEqual(['reviews-v2', 'payments']);
    expect(names('sr >= 99.9%')).toEqual(['web']);
    expect(names('p99 > 500ms')).toEqual(['reviews-v2']);
    expect(names('p99 <= 0.1s')).toEqual(['payments']);
    expect(names('p95 >= 700')).toEqual(['reviews-v2']);
  });

  it('a resource without traffic has no success rate or latency: it matches neither side', () => {
    expect(names('sr < 100')).not.toContain('batch');
    expect(names('sr >= 0')).not.toContain('batch');
    expect(names('idle')).toEqual(['batch']);
  });

  it('matches text exactly (=, !=) or by substring (~), case-insensitively', () => {
    expect(names('ns = shop')).toEqual(['web', 'reviews-v2']);
    expect(names('ns != shop')).toEqual(['payments', 'batch']);
    expect(names('name ~ REVIEWS')).toEqual(['reviews-v2']);
    expect(names('name = "reviews-v2"')).toEqual(['reviews-v2']);
  });

  it('knows mTLS and combines with and/or/not and parentheses (and binds tighter)', () => {
    expect(names('mtls = false')).toEqual(['payments']);
    expect(names('mtls != false')).toEqual(['web', 'reviews-v2']);
    expect(names('ns = shop and sr < 95 or idle')).toEqual(['reviews-v2', 'batch']);
    expect(names('ns = shop and (sr < 95 or idle)')).toEqual(['reviews-v2']);
    expect(names('not idle and not ns = shop')).toEqual(['payments']);
    expect(names('RPS > 1 AND name ~ web')).toEqual(['web']);
  });

  it('explains what is wrong and where', () => {
    expect(error('')).toBe('empty expression (at column 1)');
    expect(error('latency > 5')).toBe(
      'unknown field "latency"; fields are rps, sr, p50, p95, p99, ns, name, mtls, idle (at column 1)',
    );
    expect(error('rps >')).toBe('expected a value after ">" at the end (at column 6)');
    expect(error('rps > fast')).toBe('"fast" is not a number (at column 7)');
    expect(error('p99 > 5h')).toBe(
      '"5h" is not a duration (examples: 500ms, 1.5s, 250) (at column 7)',
    );
    expect(error('rps 5')).toBe(
      'expected an operator (>, >=, <, <=, =, !=, ~) after "rps" (at column 5)',
    );
    expect(error('rps > 1 sr < 2')).toBe(
      'unexpected "sr"; join conditions with "and" or "or" (at column 9)',
    );
    expect(error('(rps > 1')).toBe('expected ")" at the end (at column 9)');
    expect(error('name > web')).toBe('name takes =, != or ~ (contains), not ">" (at column 6)');
    expect(error('mtls = maybe')).toBe('mtls is true or false, not "maybe" (at column 8)');
    expect(error('rps ~ 5')).toBe('"~" matches text; rps is a number (at column 5)');
    expect(error('name = "web')).toBe('unterminated quoted value (at column 8)');
  });
});
