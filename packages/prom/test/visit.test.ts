import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ExpositionParseError,
  decodeExposition,
  parseExposition,
  seriesTextHash,
  visitExposition,
  type MetricFamily,
  type MetricType,
  type ParseOptions,
  type Sample,
} from '@meshlens/prom';
import { createPrng } from './prng';
import { haveTestdata, testdataDir } from './testdata';

// visitExposition must hand over exactly the samples parseExposition collects (same families,
// same order within a family, same objects' contents) and fail exactly where it fails.

const OM = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

type Outcome =
  | { ok: true; families: Map<string, Sample[]>; types: Map<string, MetricType> }
  | { ok: false; message: string; line: number; column: number };

function failure(err: unknown): Outcome {
  if (!(err instanceof ExpositionParseError)) throw err;
  return { ok: false, message: err.message, line: err.line, column: err.column };
}

function grouped(families: MetricFamily[]): Outcome {
  const out = new Map<string, Sample[]>();
  const types = new Map<string, MetricType>();
  for (const f of families) {
    if (f.samples.length === 0) continue;
    out.set(f.name, f.samples);
    types.set(f.name, f.type);
  }
  return { ok: true, families: out, types };
}

function options(contentType?: string, keep?: (n: string) => boolean): ParseOptions {
  return { ...(contentType ? { contentType } : {}), ...(keep ? { keep } : {}) };
}

function viaParse(text: string, contentType?: string, keep?: (n: string) => boolean): Outcome {
  try {
    return grouped(parseExposition(text, options(contentType, keep)));
  } catch (err) {
    return failure(err);
  }
}

function viaVisit(text: string, contentType?: string, keep?: (n: string) => boolean): Outcome {
  const families = new Map<string, Sample[]>();
  const types = new Map<string, MetricType>();
  try {
    visitExposition(text, {
      ...options(contentType, keep),
      onSample(family, sample) {
        let list = families.get(family.name);
        if (!list) families.set(family.name, (list = []));
        list.push(sample);
        // the type as declared when the sample was read
        types.set(family.name, family.type);
      },
    });
  } catch (err) {
    return failure(err);
  }
  return { ok: true, families, types };
}

const DOCUMENTS: [string, string | undefined][] = [
  ['prometheus/alltypes.237mfs.prom.txt', undefined],
  ['prometheus/alltypes.237mfs.nometa.prom.txt', undefined],
  ['prometheus/promtestdata.txt', undefined],
  ['prometheus/metrics-test.prom', undefined],
  ['expfmt/text.prom', undefined],
  ['linkerd/proxy-metrics.txt', undefined],
  ['envoy/histogram.in', undefined],
  ['prometheus/alltypes.5mfs.om.txt', OM],
  ['prometheus/1histogram.om.txt', OM],
];

describe.runIf(haveTestdata())('visitExposition on real documents', () => {
  for (const [file, contentType] of DOCUMENTS) {
    it(`${file}: the same samples, families and types as parseExposition`, () => {
      const text = readFileSync(path.join(testdataDir, file), 'utf8');
      const parsed = viaParse(text, contentType);
      expect(parsed.ok).toBe(true);
      expect(viaVisit(text, contentType)).toEqual(parsed);
      // and with a keep filter: a skipped family is not handed over at all
      const first = parsed.ok ? [...parsed.families.keys()][0] : undefined;
      const keep = (name: string) => name !== first;
      const kept = viaParse(text, contentType, keep);
      expect(kept.ok && kept.families.size).toBe(parsed.ok && parsed.families.size - 1);
      expect(viaVisit(text, contentType, keep)).toEqual(kept);
    });
  }

  it('every promparse and expfmt case: accepted with the same samples or rejected at the same place', () => {
    let accepted = 0;
    let rejected = 0;
    for (const file of ['prometheus/promparse.cases.json', 'expfmt/text_parse.cases.json']) {
      const body = JSON.parse(readFileSync(path.join(testdataDir, file), 'utf8')) as {
        cases: { input?: string; input_base64?: string }[];
      };
      for (const c of body.cases) {
        let text: string;
        try {
          text = c.input ?? decodeExposition(Buffer.from(c.input_base64 ?? '', 'base64'));
        } catch {
          continue; // invalid UTF-8: rejected before either parser runs
        }
        const parsed = viaParse(text);
        const visited = viaVisit(text);
        if (parsed.ok && visited.ok) {
          // a TYPE after a family's samples applies only to what follows when visiting
          expect(visited.families).toEqual(parsed.families);
          accepted++;
        } else {
          expect(visited).toEqual(parsed);
          rejected++;
        }
      }
    }
    expect(accepted).toBeGreaterThan(20);
    expect(rejected).toBeGreaterThan(20);
  });
});

describe('visitExposition', () => {
  it('hands samples over in input order, with the type declared so far', () => {
    const seen: string[] = [];
    visitExposition('a 1\n# TYPE b gauge\nb 2\na 3\n# TYPE a counter\na_total 4\n', {
      onSample: (family, sample) => seen.push(`${family.name}:${family.type}:${sample.value}`),
    });
    expect(seen).toEqual(['a:untyped:1', 'b:gauge:2', 'a:untyped:3', 'a:counter:4']);
  });

  it('an OpenMetrics family that ends invalid throws after its samples were handed over', () => {
    const seen: number[] = [];
    const text =
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_count 3\nh_sum 1\n# EOF\n';
    expect(() =>
      visitExposition(text, { contentType: OM, onSample: (_f, s) => seen.push(s.value) }),
    ).toThrow(ExpositionParseError);
    expect(() => parseExposition(text, { contentType: OM })).toThrow(ExpositionParseError);
    // the count is checked against the +Inf bucket when the family ends
    expect(seen).toEqual([1, 2, 3, 1]);
  });

  it('mutated inputs: both entry points agree on every outcome', () => {
    const rnd = createPrng(0x5eed);
    const base =
      '# HELP r_total Requests.\n# TYPE r_total counter\nr_total{code="200",path="/a"} 10\n' +
      'r_total{code="500",path="/b"} 2\n# TYPE l histogram\nl_bucket{le="1"} 1\nl_bucket{le="+Inf"} 2\n' +
      'l_sum 3\nl_count 2\n';
    for (let n = 0; n < 400; n++) {
      let text = base;
      const at = Math.floor(rnd() * text.length);
      const pieces = ['{', '}', '"', ',', ' ', '\n', '# TYPE r_total gauge\n', 'x', '=', '\\'];
      text = text.slice(0, at) + (pieces[Math.floor(rnd() * pieces.length)] ?? '') + text.slice(at);
      const parsed = viaParse(text);
      const visited = viaVisit(text);
      if (parsed.ok && visited.ok) expect(visited.families).toEqual(parsed.families);
      else expect(visited).toEqual(parsed);
      const om = `${text}# EOF\n`;
      const parsedOm = viaParse(om, OM);
      expect(viaVisit(om, OM)).toEqual(parsedOm);
    }
  });
});

describe('visitExposition with a consumer that knows series (text format)', () => {
  const text = [
    '# TYPE r_total counter',
    'r_total{code="200",path="/a}b"} 10',
    'r_total {code="500",path="say \\"hi\\""} 2 1700000000000',
    'up 1',
    '{"quoted.name",code="1"} 3',
    '',
  ].join('\n');

  function run(known: Set<number>, contentType?: string) {
    const asked: number[] = [];
    const knownSamples: [string, number, number | undefined][] = [];
    const parsed: [string, number | undefined][] = [];
    visitExposition(text, {
      ...(contentType ? { contentType } : {}),
      onSample: (f, s, hash) => parsed.push([`${f.name}:${s.value}`, hash]),
      known: {
        isKnown: (_f, hash) => (asked.push(hash), known.has(hash)),
        onKnown: (f, _hash, value, ts) => knownSamples.push([f.name, value, ts]),
      },
    });
    return { asked, knownSamples, parsed };
  }

  it('hashes each series as written up to its closing brace, quotes and escapes included', () => {
    const first = run(new Set());
    const spans = [
      'r_total{code="200",path="/a}b"}',
      'r_total {code="500",path="say \\"hi\\""}',
      'up',
    ];
    expect(first.asked).toEqual(spans.map((span) => seriesTextHash(span, 0, span.length)));
    // nothing known: every sample parsed in full, with its hash; the name inside braces is not asked
    expect(first.parsed).toEqual([
      ['r_total:10', first.asked[0]],
      ['r_total:2', first.asked[1]],
      ['up:1', first.asked[2]],
      ['quoted.name:3', undefined],
    ]);
  });

  it('a known series is handed over by value and timestamp, its labels never read', () => {
    const all = new Set(run(new Set()).asked);
    const second = run(all);
    expect(second.knownSamples).toEqual([
      ['r_total', 10, undefined],
      ['r_total', 2, 1700000000000],
      ['up', 1, undefined],
    ]);
    expect(second.parsed).toEqual([['quoted.name:3', undefined]]);
  });

  it('is never asked in OpenMetrics (its checks need the labels)', () => {
    const om = '# TYPE r counter\nr_total{code="200"} 1\n# EOF\n';
    const asked: number[] = [];
    visitExposition(om, {
      contentType: OM,
      onSample: () => undefined,
      known: { isKnown: (_f, h) => (asked.push(h), true), onKnown: () => undefined },
    });
    expect(asked).toEqual([]);
  });

  it('a series without its closing brace is parsed in full and fails where the parser fails', () => {
    expect(() =>
      visitExposition('r_total{code="200" 1\n', {
        onSample: () => undefined,
        known: { isKnown: () => true, onKnown: () => undefined },
      }),
    ).toThrow(ExpositionParseError);
  });
});
