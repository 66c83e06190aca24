import { describe, expect, it } from 'vitest';
import { ExpositionParseError } from './errors';
import { parseExposition } from './parse';

// OpenMetrics 1.0 rules, one document per rule. Strict: anything the spec forbids is rejected.

const OM = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
const om = (text: string) => parseExposition(text, { contentType: OM });

const VALID: [string, string][] = [
  ['empty exposition', '# EOF\n'],
  ['no newline after EOF', 'a 1\n# EOF'],
  ['unknown family without metadata', 'a_total 1\n# EOF\n'],
  ['gauge with labels and timestamp', '# TYPE a gauge\na{x="1",y="2"} 1.5 1520879607.789\n# EOF\n'],
  ['empty label set', 'a{} 1\n# EOF\n'],
  ['special values', 'a{x="1"} NaN\na{x="2"} +Inf\na{x="3"} -Inf\na{x="4"} -1.5e-3\n# EOF\n'],
  ['HELP with escapes', '# HELP a x\\\\y\\n\\"z\\"\n# TYPE a gauge\na 1\n# EOF\n'],
  ['empty HELP', '# HELP a \na 1\n# EOF\n'],
  ['UNIT suffix', '# TYPE a_seconds gauge\n# UNIT a_seconds seconds\na_seconds 1\n# EOF\n'],
  [
    'counter with created and exemplar',
    '# TYPE a counter\na_total 1 # {trace_id="abc"} 1 1.5\na_created 1.5e9\n# EOF\n',
  ],
  [
    'histogram with exemplars, sum, count, created',
    '# TYPE a histogram\na_bucket{le="0.1"} 0\na_bucket{le="1"} 2 # {id="x"} 0.5\na_bucket{le="+Inf"} 3\na_sum 2.5\na_count 3\na_created 1\n# EOF\n',
  ],
  [
    'histogram with negative buckets and negative sum',
    '# TYPE a histogram\na_bucket{le="-1"} 1\na_bucket{le="+Inf"} 2\na_sum -3\na_count 2\n# EOF\n',
  ],
  [
    'gaugehistogram with negative gsum',
    '# TYPE a gaugehistogram\na_bucket{le="+Inf"} 1\na_gsum -1\na_gcount 1\n# EOF\n',
  ],
  [
    'summary',
    '# TYPE a summary\na{quantile="0.5"} NaN\na{quantile="1"} -2\na_sum -1\na_count 0\n# EOF\n',
  ],
  ['stateset', '# TYPE a stateset\na{a="on"} 1\na{a="off"} 0\n# EOF\n'],
  ['info', '# TYPE a info\na_info{version="1.0"} 1\n# EOF\n'],
  ['metadata-only family', '# TYPE a counter\n# HELP a help\n# TYPE b gauge\nb 1\n# EOF\n'],
  ['repeated series with increasing timestamps', '# TYPE a gauge\na 1 1\na 2 2\n# EOF\n'],
  [
    'two MetricPoints of a histogram',
    '# TYPE a histogram\na_bucket{le="+Inf"} 1 1\na_bucket{le="+Inf"} 2 2\n# EOF\n',
  ],
  ['quoted metric name alone in braces', '{"a.b"} 1\n# EOF\n'],
  ['quoted UTF-8 names', '# TYPE "a.b" gauge\n{"a.b","c.d"="é"} 1\n# EOF\n'],
  [
    'label groups in turn',
    '# TYPE a counter\na_total{x="1"} 1\na_created{x="1"} 1\na_total{x="2"} 1\n# EOF\n',
  ],
];

const INVALID: [string, string, number][] = [
  ['missing # EOF', 'a 1\n', 2],
  ['empty input', '', 1],
  ['text after # EOF', 'a 1\n# EOF\nb 1\n', 2],
  ['blank line', 'a 1\n\n# EOF\n', 2],
  ['plain comment', '# hello\na 1\n# EOF\n', 1],
  ['two spaces before value', 'a  1\n# EOF\n', 1],
  ['trailing space', 'a 1 \n# EOF\n', 1],
  ['tab separator', 'a\t1\n# EOF\n', 1],
  ['trailing comma in labels', 'a{x="1",} 1\n# EOF\n', 1],
  ['missing comma between labels', 'a{x="1"y="2"} 1\n# EOF\n', 1],
  ['spaces in labels', 'a{x = "1"} 1\n# EOF\n', 1],
  ['duplicate label', 'a{x="1",x="2"} 1\n# EOF\n', 1],
  ['raw newline in a label value', 'a{x="1\n2"} 1\n# EOF\n', 1],
  [
    'NaN gsum',
    '# TYPE a gaugehistogram\na_bucket{le="+Inf"} 1\na_gsum NaN\na_gcount 1\n# EOF\n',
    3,
  ],
  ['unterminated label value', 'a{x="1} 1\n# EOF\n', 1],
  ['hex value', 'a 0x1p-3\n# EOF\n', 1],
  ['underscore value', 'a 1_000\n# EOF\n', 1],
  ['NaN timestamp', 'a 1 NaN\n# EOF\n', 1],
  ['Inf timestamp', 'a 1 +Inf\n# EOF\n', 1],
  ['untyped is not an OpenMetrics type', '# TYPE a untyped\n# EOF\n', 1],
  ['unknown type', '# TYPE a meh\n# EOF\n', 1],
  ['TYPE without type', '# TYPE a\n# EOF\n', 1],
  ['HELP without text separator', '# HELP a\n# EOF\n', 1],
  ['second TYPE', '# TYPE a gauge\n# TYPE a gauge\n# EOF\n', 2],
  ['second HELP', '# HELP a x\n# HELP a y\n# EOF\n', 2],
  ['metadata after samples', '# TYPE a gauge\na 1\n# HELP a x\n# EOF\n', 3],
  ['repeated family', '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\n# EOF\n', 5],
  ['interleaved families', 'a 1\nb 1\na 2\n# EOF\n', 3],
  ['UNIT not a suffix', '# TYPE a gauge\n# UNIT a seconds\n# EOF\n', 2],
  ['UNIT on info', '# TYPE a_u info\n# UNIT a_u u\n# EOF\n', 2],
  ['counter sample without _total', '# TYPE a counter\na 1\n# EOF\n', 2],
  ['negative counter', '# TYPE a counter\na_total -1\n# EOF\n', 2],
  ['NaN counter', '# TYPE a counter\na_total NaN\n# EOF\n', 2],
  ['missing +Inf bucket', '# TYPE a histogram\na_bucket{le="1"} 0\n# EOF\n', 3],
  ['non-canonical +Inf', '# TYPE a histogram\na_bucket{le="+INF"} 0\n# EOF\n', 2],
  [
    'unordered buckets',
    '# TYPE a histogram\na_bucket{le="2"} 0\na_bucket{le="1"} 0\na_bucket{le="+Inf"} 0\n# EOF\n',
    3,
  ],
  [
    'non-cumulative buckets',
    '# TYPE a histogram\na_bucket{le="1"} 2\na_bucket{le="+Inf"} 1\n# EOF\n',
    3,
  ],
  [
    'count differs from +Inf',
    '# TYPE a histogram\na_bucket{le="+Inf"} 1\na_sum 1\na_count 2\n# EOF\n',
    5,
  ],
  ['sum without count', '# TYPE a histogram\na_bucket{le="+Inf"} 1\na_sum 1\n# EOF\n', 4],
  ['histogram without buckets', '# TYPE a histogram\na_sum 1\na_count 0\n# EOF\n', 4],
  ['bucket without le', '# TYPE a histogram\na_bucket 0\n# EOF\n', 2],
  ['non-integer bucket', '# TYPE a histogram\na_bucket{le="+Inf"} 1.5\n# EOF\n', 2],
  [
    'negative sum without negative buckets',
    '# TYPE a histogram\na_bucket{le="+Inf"} 1\na_sum -1\na_count 1\n# EOF\n',
    5,
  ],
  [
    'interleaved label sets',
    '# TYPE a histogram\na_sum{x="1"} 0\na_sum{x="2"} 0\na_count{x="1"} 0\n# EOF\n',
    3,
  ],
  [
    'interleaved counter label sets',
    '# TYPE a counter\na_total{x="1"} 1\na_total{x="2"} 1\na_created{x="1"} 1\n# EOF\n',
    4,
  ],
  ['exemplar on a gauge', '# TYPE a gauge\na 1 # {id="x"} 1\n# EOF\n', 2],
  ['exemplar on _sum', '# TYPE a histogram\na_sum 1 # {id="x"} 1\n# EOF\n', 2],
  ['exemplar on _created', '# TYPE a counter\na_created 1 # {id="x"} 1\n# EOF\n', 2],
  [
    'exemplar labels over 128 runes',
    `# TYPE a counter\na_total 1 # {id="${'é'.repeat(127)}"} 1\n# EOF\n`,
    2,
  ],
  ['exemplar without value', '# TYPE a counter\na_total 1 # {id="x"}\n# EOF\n', 2],
  ['summary without quantile', '# TYPE a summary\na 0\n# EOF\n', 2],
  ['quantile above 1', '# TYPE a summary\na{quantile="1.01"} 0\n# EOF\n', 2],
  ['stateset value 2', '# TYPE a stateset\na{a="x"} 2\n# EOF\n', 2],
  ['stateset without its label', '# TYPE a stateset\na 1\n# EOF\n', 2],
  ['info value 2', '# TYPE a info\na_info 2\n# EOF\n', 2],
  ['decreasing timestamps', '# TYPE a gauge\na 1 2\na 1 1\n# EOF\n', 3],
  ['repeat without timestamps', '# TYPE a gauge\na 1\na 1\n# EOF\n', 3],
  ['clashing names', '# TYPE a_created gauge\n# TYPE a counter\n# EOF\n', 2],
  ['bad metric name', '0a 1\n# EOF\n', 1],
];

describe('OpenMetrics 1.0 (strict)', () => {
  for (const [what, text] of VALID) {
    it(`accepts: ${what}`, () => {
      expect(() => om(text)).not.toThrow();
    });
  }
  for (const [what, text, line] of INVALID) {
    it(`rejects: ${what} (line ${line})`, () => {
      let error: unknown;
      try {
        om(text);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ExpositionParseError);
      expect((error as ExpositionParseError).line).toBe(line);
    });
  }

  it('builds typed families with units, help and exemplars', () => {
    const families = om(
      '# TYPE rpc_seconds histogram\n# UNIT rpc_seconds seconds\n# HELP rpc_seconds RPC \\"latency\\"\n' +
        'rpc_seconds_bucket{le="0.5"} 1 # {trace_id="t1"} 0.25 1700000000.5\n' +
        'rpc_seconds_bucket{le="+Inf"} 2 1700000001\nrpc_seconds_sum 1.25\nrpc_seconds_count 2\n# EOF\n',
    );
    expect(families).toEqual([
      {
        name: 'rpc_seconds',
        type: 'histogram',
        unit: 'seconds',
        help: 'RPC "latency"',
        samples: [
          {
            name: 'rpc_seconds_bucket',
            labels: { le: '0.5' },
            value: 1,
            exemplar: { labels: { trace_id: 't1' }, value: 0.25, timestampMs: 1700000000500 },
          },
          {
            name: 'rpc_seconds_bucket',
            labels: { le: '+Inf' },
            value: 2,
            timestampMs: 1700000001000,
          },
          { name: 'rpc_seconds_sum', labels: {}, value: 1.25 },
          { name: 'rpc_seconds_count', labels: {}, value: 2 },
        ],
      },
    ]);
  });

  it('keeps unknown escapes verbatim, like the reference parser (corpus case "escaping")', () => {
    const [family] = om(
      '# TYPE a counter\n# HELP a he\\n\\\\l\\tp\na_total{foo="b\\"a\\nr"} 1\na_total{foo="b\\\\a\\z"} 2\n# EOF\n',
    );
    expect(family?.help).toBe('he\n\\l\\tp');
    expect(family?.samples.map((s) => s.labels.foo)).toEqual(['b"a\nr', 'b\\a\\z']);
  });

  it('counts exemplar label length in runes (corpus cases exemplars_wide_chars / bad_exemplar_complex_chars)', () => {
    const exemplar = (value: string) =>
      `# TYPE a histogram\na_bucket{le="+Inf"} 1 # {a="${value}"} 1 1\n# EOF\n`;
    expect(() => om(exemplar('☃'.repeat(127)))).not.toThrow();
    expect(() => om(exemplar('☃'.repeat(128)))).toThrow(ExpositionParseError);
    expect(() => om(exemplar('O\u0338\u0321'.repeat(43)))).toThrow(ExpositionParseError);
  });

  it('reports the 1-based column of the problem', () => {
    try {
      om('# TYPE a gauge\na{x="1"} 1 z\n# EOF\n');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ExpositionParseError);
      expect(err).toMatchObject({ line: 2, column: 12 });
      expect((err as Error).message).toContain('invalid timestamp');
    }
  });

  it('keep() still enforces family boundaries but does not build skipped samples', () => {
    const families = parseExposition('# TYPE a gauge\na 1\n# TYPE b gauge\nb 2\n# EOF\n', {
      contentType: OM,
      keep: (name) => name === 'b',
    });
    expect(families.map((f) => [f.name, f.samples.length])).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
  });
});
