import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExpositionParseError, decodeExposition, parseExposition } from '@meshlens/prom';
import { haveTestdata, testdataDir } from './testdata';

// The reference parsers' own test tables, decoded to JSON in ../shared/testdata. Text-format
// inputs run in text mode. Where the strict expfmt parser rejects what Prometheus' scrape parser
// accepts, we accept (the choice is in the test name); each such case was checked against a real
// Prometheus scrape (Debian prometheus 2.42: target "up" with the case as its /metrics body).

interface Case {
  test: string;
  go_line: number;
  case_comment?: string;
  input?: string;
  input_base64?: string;
  should_parse?: boolean;
  should_parse_utf8?: boolean;
}

/** expfmt rejects these; Prometheus' scrape parser (and so meshlens) accepts them. */
const SCRAPE_ACCEPTS: Record<number, string> = {
  1012: 'no newline at end of input',
  1019: 'unknown escape \\t kept verbatim in a label value',
  1024: 'raw newline inside a quoted label value',
  1052: 'quantile label that is not a number (no type-specific label checks at scrape)',
  1083: 'second HELP line for a metric',
  1091: 'second TYPE line for a metric',
  1099: 'TYPE line after samples of the metric',
  1131: 'le label that is not a number',
  1199: 'le label in hex',
  1207: 'quantile label in hex',
  1226: 'unknown escape \\x kept verbatim in a quoted metric name',
  1236: 'unknown escape \\t kept verbatim in a quoted metric name',
  1244: 'raw newline inside a quoted metric name',
  1254: 'raw newline inside a quoted label name',
  1277: 'negative histogram count',
  1292: 'negative histogram bucket',
  1307: 'negative float histogram count',
  1322: 'negative float histogram bucket',
};

function loadCases(file: string): Case[] {
  const body = JSON.parse(readFileSync(path.join(testdataDir, file), 'utf8')) as { cases: Case[] };
  return body.cases;
}

function text(c: Case): string {
  if (c.input !== undefined) return c.input;
  return decodeExposition(Buffer.from(c.input_base64 ?? '', 'base64'));
}

function outcome(c: Case): 'accepted' | 'rejected' {
  try {
    parseExposition(text(c), { contentType: 'text/plain; version=0.0.4' });
    return 'accepted';
  } catch (err) {
    if (!(err instanceof ExpositionParseError)) throw err;
    expect(err.line).toBeGreaterThanOrEqual(1);
    expect(err.column).toBeGreaterThanOrEqual(1);
    return 'rejected';
  }
}

describe.runIf(haveTestdata())('conformance with the reference parsers', () => {
  describe('prometheus/promparse.cases.json (Prometheus scrape parser, followed exactly)', () => {
    for (const c of loadCases('prometheus/promparse.cases.json')) {
      const expected = c.should_parse ? 'accepted' : 'rejected';
      it(`promparse ${c.test}:${c.go_line} is ${expected}`, () => {
        expect(outcome(c)).toBe(expected);
      });
    }
  });

  describe('expfmt/text_parse.cases.json (strict expfmt parser)', () => {
    for (const c of loadCases('expfmt/text_parse.cases.json')) {
      const lenient = SCRAPE_ACCEPTS[c.go_line];
      const strictExpected = (c.should_parse ?? c.should_parse_utf8) ? 'accepted' : 'rejected';
      const expected = lenient ? 'accepted' : strictExpected;
      const follows = lenient ? `follows promparse, not expfmt: ${lenient}` : 'follows expfmt';
      it(`expfmt ${c.test}:${c.go_line} ${c.case_comment ?? ''} is ${expected} (${follows})`, () => {
        expect(outcome(c)).toBe(expected);
      });
    }
  });
});
