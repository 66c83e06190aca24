import { describe, expect, it } from 'vitest';
import { buildTraceQL, traceqlAttribute, traceqlString } from './traceql';

describe('TraceQL from trace search filters', () => {
  it('escapes quotes, backslashes and control characters in string literals', () => {
    expect(traceqlString('a"b\\c\nd\te\u0001')).toBe('"a\\"b\\\\c\\nd\\te\\u0001"');
    expect(traceqlString('héllo')).toBe('"héllo"');
  });

  it('quotes attribute names TraceQL would not read as one name', () => {
    expect(traceqlAttribute('http.status_code')).toBe('.http.status_code');
    expect(traceqlAttribute('guid:x-request-id')).toBe('.guid:x-request-id');
    expect(traceqlAttribute('a b')).toBe('."a b"');
    expect(traceqlAttribute('x"} || {true')).toBe('."x\\"} || {true"');
  });

  it('selects everything without filters, and types numeric and boolean tag values', () => {
    expect(buildTraceQL({ limit: 20 })).toBe('{}');
    expect(
      buildTraceQL({ limit: 1, tags: { 'http.status_code': '503', sampled: 'true', v: '1e3' } }),
    ).toBe('{ .http.status_code = 503 && .sampled = true && .v = "1e3" }');
    expect(buildTraceQL({ limit: 1, minDurationMs: 0.25 })).toBe('{ traceDuration >= 250us }');
  });
});
