import { describe, expect, it } from 'vitest';
import { otlpJson, unixNanos } from './otlpJson';
import { toOtlp, type Span } from './spanExporter';

const spans: Span[] = [
  {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '00f067aa0ba902b7',
    name: 'GET reviews',
    kind: 'client',
    startMs: 1764491400123.5,
    endMs: 1764491400125.25,
    attributes: {
      'meshlens.direction': 'outbound',
      'http.response.status_code': 200,
      'meshlens.retries': 0,
      ratio: 0.25,
      flag: true,
      // a hostile value: quotes, a backslash, a control character, non-ASCII
      'http.route': '/a"b\\c\u0001\u00e9/<script>',
    },
    error: false,
  },
  {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    parentSpanId: undefined,
    name: 'POST inbound',
    kind: 'server',
    startMs: 1764491400000,
    endMs: 1764491400001.5,
    attributes: {},
    error: true,
    statusMessage: 'forbidden',
  },
  {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '1111111111111111',
    parentSpanId: undefined,
    name: 'GET x',
    kind: 'server',
    startMs: 1764491400000,
    endMs: 1764491400000,
    attributes: { 'meshlens.proxy_error': 'timeout' },
    error: true,
  },
];

describe('otlpJson', () => {
  it('writes exactly the JSON of the OTLP object form', () => {
    const resource = { 'service.name': 'reviews', 'k8s.namespace.name': 'shop' };
    expect(otlpJson(spans, resource)).toBe(JSON.stringify(toOtlp(spans, resource)));
    expect(otlpJson([], resource)).toBe(JSON.stringify(toOtlp([], resource)));
  });

  it('writes nanosecond timestamps past 2^53 exactly, as the BigInt form does', () => {
    expect(unixNanos(1764491400123.5)).toBe('1764491400123500000');
    expect(unixNanos(1764491400000)).toBe('1764491400000000000');
    expect(unixNanos(0.5)).toBe('500000');
    // a fraction that rounds up to a whole millisecond carries into it
    expect(unixNanos(0.9999996)).toBe('1000000');
    const now = performance.timeOrigin + performance.now();
    for (let i = 0; i < 1000; i++) {
      const ms = now + Math.random() * 1e6;
      const whole = Math.floor(ms);
      const frac = Math.round((ms - whole) * 1e6);
      expect(unixNanos(ms)).toBe((BigInt(whole) * 1_000_000n + BigInt(frac)).toString());
    }
  });
});
