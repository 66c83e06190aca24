import { describe, expect, it } from 'vitest';
import { extractContext, injectContext } from './traceContext';

describe('trace context', () => {
  it('parses W3C traceparent and rejects invalid ones', () => {
    const ctx = extractContext({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'a=b',
    });
    expect(ctx).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentSpanId: '00f067aa0ba902b7',
      sampled: true,
      tracestate: 'a=b',
      format: 'w3c',
    });
    expect(
      extractContext({ traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' }),
    ).toBeUndefined();
    expect(extractContext({ traceparent: 'garbage' })).toBeUndefined();
  });

  it('parses B3 single (64-bit ids padded) and multi, with deferred sampling', () => {
    expect(extractContext({ b3: 'a3ce929d0e0e4736-00f067aa0ba902b7' })).toMatchObject({
      traceId: '0000000000000000a3ce929d0e0e4736',
      sampled: undefined,
      format: 'b3-single',
    });
    expect(
      extractContext({
        'x-b3-traceid': '4bf92f3577b34da6a3ce929d0e0e4736',
        'x-b3-spanid': '00f067aa0ba902b7',
        'x-b3-flags': '1',
      }),
    ).toMatchObject({ sampled: true, format: 'b3-multi' });
  });

  it('writes traceparent and the B3 format it received', () => {
    const out: Record<string, string | string[] | number | undefined> = { b3: 'old' };
    injectContext(
      out,
      { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), sampled: false, tracestate: undefined },
      'b3-single',
    );
    expect(out).toEqual({
      traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-00`,
      b3: `${'a'.repeat(32)}-${'b'.repeat(16)}-0`,
    });
  });
});
