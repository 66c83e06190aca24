import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExpositionParseError, parseExposition } from '@meshlens/prom';
import { createPrng } from './prng';
import { haveTestdata, testdataDir } from './testdata';

// Seeded mutation fuzzing: whatever the input, the parser either returns families or throws
// ExpositionParseError, and never takes more than 100 ms on one input (a bound against
// pathological, e.g. quadratic, behaviour - not a benchmark). Bounded by count and time.

const OM = 'application/openmetrics-text; version=1.0.0';
const SEED = 0x5eed2026;
const MAX_INPUTS = 40_000;
const BUDGET_MS = 7_000;
const LIMIT_MS = 100;

const BUILT_IN = [
  '# HELP a x\n# TYPE a counter\na_total{b="c",d="e\\n"} 1 123\n# EOF\n',
  '# TYPE h histogram\nh_bucket{le="1"} 1 # {id="x"} 0.5 1.5\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n# EOF\n',
  '# TYPE "a.b" gauge\n{"a.b","c.d"="v"} -Inf\n{"a.b",x="y"} NaN\n',
  '# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 2\ns_count 3\n# TYPE st stateset\nst{st="a"} 1\n# EOF\n',
];

const PIECES = [
  '{',
  '}',
  '"',
  '\\',
  '=',
  ',',
  ' ',
  '\n',
  '#',
  '# EOF\n',
  '# TYPE ',
  'le="+Inf"',
  '_bucket',
  '_total',
  'NaN',
  '+Inf',
  '1e308',
  '-0',
  '0x1',
  '\u0000',
  'é',
  '\ud83d\ude00',
  '\r',
  '\t',
  '"""',
];

function seeds(): string[] {
  const docs = [...BUILT_IN];
  if (haveTestdata()) {
    for (const file of [
      'prometheus/alltypes.5mfs.om.txt',
      'prometheus/1histogram.om.txt',
      'linkerd/proxy-metrics.txt',
      'expfmt/text.prom',
      'prometheus/promtestdata.txt',
    ]) {
      const text = readFileSync(path.join(testdataDir, file), 'utf8');
      // Keep inputs small enough that one parse is far below the limit on a loaded machine.
      docs.push(text.length > 12_000 ? text.slice(0, 12_000) : text);
    }
  }
  return docs;
}

function mutate(doc: string, rnd: () => number): string {
  let out = doc;
  const rounds = 1 + Math.floor(rnd() * 4);
  for (let r = 0; r < rounds; r++) {
    const at = Math.floor(rnd() * (out.length + 1));
    const len = Math.floor(rnd() * 40);
    const kind = Math.floor(rnd() * 6);
    if (kind === 0) out = out.slice(0, at) + out.slice(at + len);
    else if (kind === 1)
      out = out.slice(0, at) + (PIECES[Math.floor(rnd() * PIECES.length)] ?? '') + out.slice(at);
    else if (kind === 2)
      out =
        out.slice(0, at) +
        out.slice(at, at + len).repeat(1 + Math.floor(rnd() * 50)) +
        out.slice(at);
    else if (kind === 3) out = out.slice(0, at);
    else if (kind === 4)
      out = out.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 0x2000)) + out.slice(at + 1);
    else out = out.slice(at) + out.slice(0, at);
  }
  return out;
}

function parseTimed(text: string, contentType: string | undefined): number {
  const start = performance.now();
  try {
    parseExposition(text, contentType ? { contentType } : {});
  } catch (err) {
    if (!(err instanceof ExpositionParseError)) throw err;
  }
  return performance.now() - start;
}

describe('fuzz', () => {
  it('only ExpositionParseError is thrown and no input takes over 100 ms', () => {
    const rnd = createPrng(SEED);
    const docs = seeds();
    const deadline = performance.now() + BUDGET_MS;
    const slow: string[] = [];
    let inputs = 0;
    for (; inputs < MAX_INPUTS && performance.now() < deadline; inputs++) {
      const text = mutate(docs[inputs % docs.length] ?? '', rnd);
      for (const contentType of [undefined, OM]) {
        let ms: number;
        try {
          ms = parseTimed(text, contentType);
          // A single slow run may be the shared machine; pathological inputs are slow every time.
          if (ms > LIMIT_MS)
            ms = Math.min(ms, parseTimed(text, contentType), parseTimed(text, contentType));
        } catch (err) {
          throw new Error(
            `input #${inputs} (${contentType ?? 'text'}) threw ${String(err)}: ${JSON.stringify(text.slice(0, 300))}`,
          );
        }
        if (ms > LIMIT_MS) slow.push(`input #${inputs} took ${ms.toFixed(1)} ms`);
      }
    }
    expect(slow).toEqual([]);
    expect(inputs).toBeGreaterThan(500);
  }, 30_000);

  it('huge label sets and long lines stay linear', () => {
    const labels = Array.from({ length: 10_000 }, (_, i) => `l${i}="v"`).join(',');
    const ms = parseTimed(`m{${labels}} 1\n`, undefined);
    expect(ms).toBeLessThan(LIMIT_MS * 5);
    expect(parseExposition(`m{${labels}} 1\n`)[0]?.samples[0]?.labels.l9999).toBe('v');
  });
});
