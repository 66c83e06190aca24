import {
  BACKSLASH,
  COMMA,
  EQUALS,
  HASH,
  LBRACE,
  NL,
  QUOTE,
  RBRACE,
  SP,
  TAB,
  isLabelChar,
  isLabelStart,
  isNameChar,
  isDuplicate,
  isNameStart,
  setLabel,
} from './chars';
import { failAt } from './errors';
import { parseIntTimestamp, parseNumber } from './number';
import { quotedEnd, readQuoted, unescapeHelp } from './quoted';
import { TextFamilies } from './textFamilies';
import type { FamilyState } from './textFamilies';
import { labelledSeriesEnd, labelledSeriesHash, seriesTextHash } from './seriesText';
import type { KnownSeries, MetricFamily, MetricType, Sample, SampleSink } from './types';

// Prometheus text format 0.0.4, accepting what Prometheus' own scrape parser (PromParser) accepts:
// whitespace between any tokens, optional commas between labels, a trailing comma, quoted UTF-8
// metric and label names, unknown escapes kept verbatim, no final newline required.

// A Map, not an object literal: `# TYPE x constructor` must not find Object.prototype members.
const TEXT_TYPES = new Map<string, MetricType>([
  ['counter', 'counter'],
  ['gauge', 'gauge'],
  ['histogram', 'histogram'],
  ['summary', 'summary'],
  ['untyped', 'untyped'],
  ['gaugehistogram', 'gaugehistogram'],
  ['gauge_histogram', 'gaugehistogram'],
]);

const isBlank = (c: number): boolean => c === SP || c === TAB;

function skipBlanks(s: string, i: number): number {
  while (i < s.length && isBlank(s.charCodeAt(i))) i++;
  return i;
}

function atLineEnd(s: string, i: number): boolean {
  return i >= s.length || s.charCodeAt(i) === NL;
}

function readName(s: string, i: number): number {
  if (!isNameStart(s.charCodeAt(i))) return i;
  i++;
  while (isNameChar(s.charCodeAt(i))) i++;
  return i;
}

export function parseText(
  s: string,
  keep: ((name: string) => boolean) | undefined,
  sink?: SampleSink,
  known?: KnownSeries,
): MetricFamily[] {
  const families = new TextFamilies(keep);
  const parser = new TextLineParser(s, families, sink, known);
  parser.run();
  return families.result();
}

class TextLineParser {
  private readonly labelNames: string[] = [];
  private lastName = '';
  private lastState: FamilyState | undefined;
  private lastStart = 0;
  private lastEnd = 0;

  constructor(
    private readonly s: string,
    private readonly families: TextFamilies,
    /** set: samples go to it instead of their family */
    private readonly sink: SampleSink | undefined,
    /** set: series it knows are not parsed past their name */
    private readonly known: KnownSeries | undefined,
  ) {}

  run(): void {
    const s = this.s;
    const n = s.length;
    let i = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === NL || isBlank(c)) i++;
      else if (c === HASH) i = this.comment(i);
      else i = this.sample(i);
    }
  }

  private comment(start: number): number {
    const s = this.s;
    const i = skipBlanks(s, start + 1);
    // Character comparisons: String#startsWith with a position is slow in V8.
    const isHelp = isWord(s, i, 72, 69, 76, 80); // HELP
    if ((isHelp || isWord(s, i, 84, 89, 80, 69)) && isBlank(s.charCodeAt(i + 4))) {
      return this.metadata(skipBlanks(s, i + 4), isHelp);
    }
    const end = s.indexOf('\n', i);
    return end === -1 ? s.length : end + 1;
  }

  private metadata(i: number, isHelp: boolean): number {
    const s = this.s;
    const keyword = isHelp ? 'HELP' : 'TYPE';
    let name: string;
    if (s.charCodeAt(i) === QUOTE) {
      name = readQuoted(s, i, false, 'metric name');
      i = quotedEnd;
    } else {
      const end = readName(s, i);
      if (end === i) failAt(s, i, `expected metric name after ${keyword}`);
      name = s.slice(i, end);
      i = end;
    }
    if (!atLineEnd(s, i) && !isBlank(s.charCodeAt(i))) {
      failAt(s, i, `unexpected character after metric name in ${keyword}`);
    }
    i = skipBlanks(s, i);
    let lineEnd = s.indexOf('\n', i);
    if (lineEnd === -1) lineEnd = s.length;
    const state = this.families.declare(name);
    this.lastState = undefined;
    if (isHelp) {
      state.family.help = unescapeHelp(s, i, lineEnd, false);
    } else {
      let end = lineEnd;
      while (end > i && isBlank(s.charCodeAt(end - 1))) end--;
      const word = s.slice(i, end);
      const type = TEXT_TYPES.get(word);
      if (type === undefined) failAt(s, i, `unknown metric type "${word}"`);
      state.family.type = type;
    }
    return lineEnd + 1;
  }

  private sample(start: number): number {
    const s = this.s;
    let i = start;
    let name: string | undefined;
    let state: FamilyState | undefined;
    if (s.charCodeAt(i) !== LBRACE) {
      const end = readName(s, i);
      if (end === i) failAt(s, i, 'expected metric name');
      // Consecutive lines usually repeat the series name: compare against the previous name's
      // place in the (flat) input instead of slicing and hashing a new string.
      if (this.lastState !== undefined && sameSpan(s, i, end, this.lastStart, this.lastEnd)) {
        name = this.lastName;
        state = this.lastState;
      } else {
        name = s.slice(i, end);
        state = this.families.forSeries(name);
        this.lastName = name;
        this.lastState = state;
      }
      this.lastStart = i;
      this.lastEnd = end;
      if (!state.keep) return skipLine(s, end);
      i = skipBlanks(s, end);
      if (this.known !== undefined) {
        const braces = s.charCodeAt(i) === LBRACE;
        const hash = braces ? labelledSeriesHash(s, start, i) : seriesTextHash(s, start, end);
        const seriesEnd = braces ? labelledSeriesEnd : i;
        if (seriesEnd !== -1 && this.known.isKnown(state.family, hash)) {
          i = this.readValue(seriesEnd, name);
          this.known.onKnown(state.family, hash, this.parsedValue, this.parsedTimestamp);
          return i;
        }
        this.seriesHash = hash;
      }
    }
    const labels: Record<string, string> = {};
    if (s.charCodeAt(i) === LBRACE) {
      const braceName = this.labels(i + 1, labels, name !== undefined);
      i = this.labelsEnd;
      if (braceName !== undefined) {
        name = braceName;
        state = this.families.forSeries(name);
        if (!state.keep) return skipLine(s, i);
      }
    }
    if (name === undefined || state === undefined) return failAt(s, start, 'metric name not set');
    i = this.readValue(i, name);
    const value = this.parsedValue;
    const ts = this.parsedTimestamp;
    // Built once, in one of two fixed shapes, so V8 keeps these objects fast.
    const sample: Sample =
      ts === undefined ? { name, labels, value } : { name, labels, value, timestampMs: ts };
    if (this.sink === undefined) state.family.samples.push(sample);
    else this.sink(state.family, sample, this.seriesHash);
    this.seriesHash = undefined;
    return i;
  }

  /** The current line's series hash, when `known` asked about it (the sink gets it). */
  private seriesHash: number | undefined;
  private parsedValue = 0;
  private parsedTimestamp: number | undefined;

  private labelsEnd = 0;

  /** Parses labels after `{`; returns a metric name found inside the braces, if any. */
  private labels(i: number, labels: Record<string, string>, hasName: boolean): string | undefined {
    const s = this.s;
    const names = this.labelNames;
    let count = 0;
    let braceName: string | undefined;
    for (;;) {
      i = skipBlanks(s, i);
      const c = s.charCodeAt(i);
      if (c === RBRACE) break;
      let labelName: string;
      const nameStart = i;
      if (c === QUOTE) {
        labelName = readQuoted(s, i, false, 'label name');
        i = skipBlanks(s, quotedEnd);
        const next = s.charCodeAt(i);
        if (next === COMMA || next === RBRACE) {
          if (hasName || braceName !== undefined) failAt(s, nameStart, 'metric name set twice');
          braceName = labelName;
          if (next === COMMA) i++;
          continue;
        }
      } else if (isLabelStart(c)) {
        i++;
        while (isLabelChar(s.charCodeAt(i))) i++;
        labelName = s.slice(nameStart, i);
        i = skipBlanks(s, i);
      } else {
        return failAt(
          s,
          i,
          i >= s.length ? 'unexpected end of input in labels' : 'expected label name',
        );
      }
      if (s.charCodeAt(i) !== EQUALS) failAt(s, i, `expected "=" after label name "${labelName}"`);
      i = skipBlanks(s, i + 1);
      if (s.charCodeAt(i) !== QUOTE) failAt(s, i, `expected quoted label value for "${labelName}"`);
      const value = readQuoted(s, i, false, 'label value');
      i = quotedEnd;
      if (labelName === '__name__') failAt(s, nameStart, 'label name "__name__" is reserved');
      if (isDuplicate(names, count, labels, labelName)) {
        failAt(s, nameStart, `duplicate label name "${labelName}"`);
      }
      names[count++] = labelName;
      setLabel(labels, labelName, value);
      i = skipBlanks(s, i);
      if (s.charCodeAt(i) === COMMA) i++;
    }
    this.labelsEnd = i + 1;
    return braceName;
  }

  /** Reads the value and timestamp after the series (into parsedValue/parsedTimestamp). */
  private readValue(i: number, name: string): number {
    const s = this.s;
    i = skipBlanks(s, i);
    let end = i;
    while (end < s.length) {
      const c = s.charCodeAt(end);
      if (c === SP || c === TAB || c === NL) break;
      end++;
    }
    if (end === i) failAt(s, i, `expected value after metric "${name}"`);
    const value = parseNumber(s, i, end);
    if (value === undefined) failAt(s, i, `invalid value "${s.slice(i, end)}"`);
    this.parsedValue = value;
    this.parsedTimestamp = undefined;
    i = skipBlanks(s, end);
    if (!atLineEnd(s, i)) {
      end = i;
      while (end < s.length) {
        const c = s.charCodeAt(end);
        if ((c < 48 || c > 57) && !(c === 45 && end === i)) break;
        end++;
      }
      const ts = parseIntTimestamp(s, i, end);
      if (ts === undefined) failAt(s, i, 'invalid timestamp (expected integer milliseconds)');
      this.parsedTimestamp = ts;
      i = skipBlanks(s, end);
      if (!atLineEnd(s, i)) failAt(s, i, 'unexpected text after timestamp');
    }
    return i + 1;
  }
}

function isWord(s: string, i: number, a: number, b: number, c: number, d: number): boolean {
  return (
    s.charCodeAt(i) === a &&
    s.charCodeAt(i + 1) === b &&
    s.charCodeAt(i + 2) === c &&
    s.charCodeAt(i + 3) === d
  );
}

function sameSpan(
  s: string,
  start: number,
  end: number,
  prevStart: number,
  prevEnd: number,
): boolean {
  if (end - start !== prevEnd - prevStart) return false;
  for (let k = end - start - 1; k >= 0; k--) {
    if (s.charCodeAt(start + k) !== s.charCodeAt(prevStart + k)) return false;
  }
  return true;
}

/** Skips a line of an unwanted family; quoted strings may span lines in this format. */
function skipLine(s: string, i: number): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === NL) return i + 1;
    if (c === QUOTE) {
      for (i++; i < n; i++) {
        const q = s.charCodeAt(i);
        if (q === BACKSLASH) i++;
        else if (q === QUOTE) break;
      }
    }
    i++;
  }
  return n;
}
