import { describe, expect, it } from 'vitest';
import { ExpositionParseError } from './errors';
import { parseExposition } from './parse';

// Text format 0.0.4 as Prometheus' scrape parser reads it (lenient where it is lenient).

function rejects(text: string): ExpositionParseError {
  try {
    parseExposition(text);
  } catch (err) {
    if (err instanceof ExpositionParseError) return err;
    throw err;
  }
  throw new Error('expected ExpositionParseError');
}

describe('text format 0.0.4', () => {
  it('groups histogram series under the TYPE family and keeps untyped lines separate', () => {
    const families = parseExposition(
      '# HELP response_latency_ms Latency\\nin ms\n# TYPE response_latency_ms histogram\n' +
        'response_latency_ms_bucket{direction="inbound",le="1"} 2\n' +
        'response_latency_ms_bucket{direction="inbound",le="+Inf"} 3\n' +
        'response_latency_ms_sum{direction="inbound"} 4.5\n' +
        'response_latency_ms_count{direction="inbound"} 3\n' +
        'other_bucket 1 1700000000123\n',
    );
    expect(families).toEqual([
      {
        name: 'response_latency_ms',
        type: 'histogram',
        help: 'Latency\nin ms',
        samples: [
          {
            name: 'response_latency_ms_bucket',
            labels: { direction: 'inbound', le: '1' },
            value: 2,
          },
          {
            name: 'response_latency_ms_bucket',
            labels: { direction: 'inbound', le: '+Inf' },
            value: 3,
          },
          { name: 'response_latency_ms_sum', labels: { direction: 'inbound' }, value: 4.5 },
          { name: 'response_latency_ms_count', labels: { direction: 'inbound' }, value: 3 },
        ],
      },
      {
        name: 'other_bucket',
        type: 'untyped',
        samples: [{ name: 'other_bucket', labels: {}, value: 1, timestampMs: 1700000000123 }],
      },
    ]);
  });

  it('accepts the scrape parser leniencies (promparse TestPromParse)', () => {
    const [family] = parseExposition(
      '  # \tTYPE g summary\ng { quantile = "1.0" a = "b" , } 8.3835e-05\ng{quantile="2",}\t1  \t123\n',
    );
    expect(family?.samples).toEqual([
      { name: 'g', labels: { quantile: '1.0', a: 'b' }, value: 8.3835e-5 },
      { name: 'g', labels: { quantile: '2' }, value: 1, timestampMs: 123 },
    ]);
  });

  it('unescapes label values, keeps unknown escapes, allows raw newlines (as promparse does)', () => {
    const [family] = parseExposition('m{a="x\\\\y\\"z\\n",b="\\t",c="1\n2"} 1');
    expect(family?.samples[0]?.labels).toEqual({ a: 'x\\y"z\n', b: '\\t', c: '1\n2' });
  });

  it('reads quoted UTF-8 metric and label names anywhere in the braces', () => {
    const families = parseExposition(
      '# TYPE "my.metric" counter\n{"my.metric","label.name"="v"} 1\n{a="b", "my.metric"} 2\n',
    );
    expect(families).toEqual([
      {
        name: 'my.metric',
        type: 'counter',
        samples: [
          { name: 'my.metric', labels: { 'label.name': 'v' }, value: 1 },
          { name: 'my.metric', labels: { a: 'b' }, value: 2 },
        ],
      },
    ]);
  });

  it('parses every number form Go ParseFloat accepts and Prometheus allows', () => {
    const text = [
      '1',
      '-2.5',
      '.5',
      '5.',
      '1e3',
      '1E-2',
      '+3',
      'NaN',
      'nan',
      'Inf',
      '+inf',
      '-Infinity',
      '0.1',
      '7.424100000000001e-05',
      '123456789012345678',
    ]
      .map((v, i) => `v{i="${i}"} ${v}`)
      .join('\n');
    const values = parseExposition(text)[0]?.samples.map((s) => s.value);
    expect(values).toEqual([
      1,
      -2.5,
      0.5,
      5,
      1000,
      0.01,
      3,
      NaN,
      NaN,
      Infinity,
      Infinity,
      -Infinity,
      0.1,
      7.424100000000001e-5,
      123456789012345680,
    ]);
  });

  it.each([
    ['hex', 'a 0x1\n'],
    ['binary', 'a 0b1\n'],
    ['underscore', 'a 1_0\n'],
    ['signed NaN', 'a -NaN\n'],
    ['overflow', 'a 1e400\n'],
    ['float timestamp', 'a 1 2.5\n'],
    ['two timestamps', 'a 1 2 3\n'],
    ['missing value', 'a\n'],
    ['single-quoted label', "a{b='c'} 1\n"],
    ['unterminated label value', 'a{b="c} 1\n'],
    ['duplicate label', 'a{b="1",b="2"} 1\n'],
    ['__name__ label', 'a{__name__="b"} 1\n'],
    ['metric name set twice', 'a{"b"} 1\n'],
    ['no metric name', '{a="ok"} 1\n'],
    ['unknown TYPE', '# TYPE a bla\n'],
    ['TYPE naming an Object.prototype member', '# TYPE a constructor\n'],
    ['HELP without a name', '# HELP #\n'],
    ['carriage return line ending', 'a 1\r\n'],
  ])('rejects %s', (_what, text) => {
    expect(rejects(text)).toBeInstanceOf(ExpositionParseError);
  });

  it('names line and column of the problem', () => {
    const err = rejects('a 1\nb{c="d"} x\n');
    expect([err.line, err.column]).toEqual([2, 10]);
    expect(err.message).toBe('line 2, column 10: invalid value "x"');
  });

  it('keeps label names like __proto__ and constructor as plain data', () => {
    const [family] = parseExposition('a{__proto__="x",constructor="y",toString="z"} 1\n');
    const labels = family?.samples[0]?.labels ?? {};
    expect(Object.keys(labels)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(labels.__proto__).toBe('x');
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
  });

  it('skips unwanted families even when their quoted values span lines', () => {
    const families = parseExposition('skip{a="x\ny z"} 1\nkeep 2\n', { keep: (n) => n === 'keep' });
    expect(families).toEqual([
      { name: 'keep', type: 'untyped', samples: [{ name: 'keep', labels: {}, value: 2 }] },
    ]);
  });

  it('selects OpenMetrics only for the openmetrics content type', () => {
    expect(() =>
      parseExposition('a 1\n', { contentType: 'application/openmetrics-text; version=1.0.0' }),
    ).toThrow(ExpositionParseError);
    expect(parseExposition('a 1\n', { contentType: 'text/plain; version=0.0.4' })).toHaveLength(1);
  });
});
