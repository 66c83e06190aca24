import {
  COMMA,
  isDuplicate,
  EQUALS,
  HASH,
  LBRACE,
  NL,
  QUOTE,
  RBRACE,
  SP,
  isLabelChar,
  isLabelStart,
  isNameChar,
  isNameStart,
  runeLength,
  setLabel,
} from './chars';
import { failAt } from './errors';
import { parseNumber } from './number';
import { OM_TYPES, exemplarAllowed, ownedSuffix, seriesSuffixes } from './omRules';
import { checkSample, createOmFamily } from './omFamily';
import type { OmFamily } from './omFamily';
import { quotedEnd, readQuoted, unescapeHelp } from './quoted';
import type { Exemplar, MetricFamily, MetricType, Sample, SampleSink } from './types';

// OpenMetrics 1.0, strict: single spaces, no blank or comment lines, `# EOF` last, families not
// repeated or interleaved, label sets of a family contiguous, type-specific names and values.

const MAX_EXEMPLAR_RUNES = 128;

export function parseOpenMetrics(
  s: string,
  keep: ((name: string) => boolean) | undefined,
  sink?: SampleSink,
): MetricFamily[] {
  return new OpenMetricsParser(s, keep, sink).run();
}

class OpenMetricsParser {
  private readonly out: MetricFamily[] = [];
  /** Family names and series names already owned by a family (a name may not come back). */
  private readonly owners = new Map<string, OmFamily>();
  private cur: OmFamily | undefined;
  private labelNames: string[] = [];
  private pos = 0;

  constructor(
    private readonly s: string,
    private readonly keepFn: ((name: string) => boolean) | undefined,
    /** set: samples go to it instead of their family */
    private readonly sink: SampleSink | undefined,
  ) {}

  run(): MetricFamily[] {
    const s = this.s;
    let i = 0;
    for (;;) {
      if (i >= s.length) failAt(s, i, 'missing "# EOF" at the end');
      if (s.charCodeAt(i) === HASH) {
        if (s.startsWith('# EOF', i)) {
          const after = i + 5;
          if (after === s.length || (s.charCodeAt(after) === NL && after + 1 === s.length)) break;
          failAt(s, after, 'nothing may follow "# EOF"');
        }
        i = this.descriptor(i);
      } else {
        i = this.sample(i);
      }
    }
    this.endFamily(i);
    return this.out;
  }

  private lineEnd(i: number): number {
    const end = this.s.indexOf('\n', i);
    if (end === -1) failAt(this.s, this.s.length, 'line must end with a newline');
    return end;
  }

  private readName(i: number, what: string): string {
    const s = this.s;
    if (s.charCodeAt(i) === QUOTE) {
      const name = readQuoted(s, i, true, what);
      this.pos = quotedEnd;
      return name;
    }
    let end = i;
    if (isNameStart(s.charCodeAt(end))) {
      end++;
      while (isNameChar(s.charCodeAt(end))) end++;
    }
    if (end === i) failAt(s, i, `expected ${what}`);
    this.pos = end;
    return s.slice(i, end);
  }

  private descriptor(i: number): number {
    const s = this.s;
    const kind = s.startsWith('# HELP ', i)
      ? 'HELP'
      : s.startsWith('# TYPE ', i)
        ? 'TYPE'
        : s.startsWith('# UNIT ', i)
          ? 'UNIT'
          : undefined;
    if (kind === undefined)
      failAt(s, i, 'only "# HELP", "# TYPE", "# UNIT" and "# EOF" lines may start with "#"');
    const name = this.readName(i + 7, 'metric name');
    i = this.pos;
    if (s.charCodeAt(i) !== SP) failAt(s, i, `expected a space after the metric name in ${kind}`);
    const start = i + 1;
    const end = this.lineEnd(start);
    const fam = this.familyForDescriptor(name, i);
    const family = fam.family;
    if (kind === 'HELP') {
      if (family.help !== undefined) failAt(s, i, `second HELP for "${name}"`);
      family.help = unescapeHelp(s, start, end, true);
    } else if (kind === 'TYPE') {
      if (fam.typed) failAt(s, i, `second TYPE for "${name}"`);
      const word = s.slice(start, end);
      if (!OM_TYPES.has(word)) failAt(s, start, `unknown metric type "${word}"`);
      family.type = word as MetricType;
      fam.typed = true;
      this.reserveSeriesNames(fam, i);
    } else {
      if (family.unit !== undefined) failAt(s, i, `second UNIT for "${name}"`);
      const unit = s.slice(start, end);
      for (let k = start; k < end; k++) {
        if (!isNameChar(s.charCodeAt(k))) failAt(s, k, 'invalid character in UNIT');
      }
      if (unit === '' || !name.endsWith(`_${unit}`)) {
        failAt(s, start, `UNIT "${unit}" must be a suffix of the metric name "${name}"`);
      }
      family.unit = unit;
    }
    if (family.unit !== undefined && (family.type === 'info' || family.type === 'stateset')) {
      failAt(s, start, `a ${family.type} must not have a UNIT`);
    }
    return end + 1;
  }

  /** A family owns the series names its type implies; no other family may use them. */
  private reserveSeriesNames(fam: OmFamily, at: number): void {
    for (const suffix of seriesSuffixes(fam.family.type)) {
      const series = fam.family.name + suffix;
      const owner = this.owners.get(series);
      if (owner && owner !== fam)
        failAt(this.s, at, `"${series}" clashes with an earlier metric family`);
      this.owners.set(series, fam);
    }
  }

  private familyForDescriptor(name: string, at: number): OmFamily {
    const cur = this.cur;
    if (cur && cur.family.name === name && !cur.sampled) return cur;
    return this.startFamily(name, at);
  }

  private startFamily(name: string, at: number): OmFamily {
    this.endFamily(at);
    if (this.owners.has(name))
      failAt(
        this.s,
        at,
        `metric family "${name}" appears twice (families must not repeat or interleave)`,
      );
    const fam = createOmFamily(name, this.keepFn ? this.keepFn(name) : true);
    this.owners.set(name, fam);
    this.out.push(fam.family);
    this.cur = fam;
    return fam;
  }

  /** `at`: the line that ends the family, where a missing piece is reported. */
  private endFamily(at: number): void {
    const cur = this.cur;
    if (!cur) return;
    const problem = cur.buckets.finish();
    if (problem) failAt(this.s, at, `${problem} ("${cur.family.name}")`);
  }

  private sample(start: number): number {
    const s = this.s;
    let name: string | undefined;
    let i = start;
    if (s.charCodeAt(i) !== LBRACE) {
      name = this.readName(i, 'metric name');
      i = this.pos;
    } else if (s.charCodeAt(i + 1) === QUOTE) {
      name = this.readName(i + 1, 'metric name');
      const next = s.charCodeAt(this.pos);
      if (next !== COMMA && next !== RBRACE)
        failAt(s, this.pos, 'expected "," or "}" after the quoted metric name');
      // At a comma the label list continues; after `}` it is complete.
      i = next === COMMA ? this.pos : this.pos + 1;
    } else {
      failAt(s, i, 'metric name not set');
    }
    let fam = this.cur;
    let suffix = fam ? ownedSuffix(fam.family.type, fam.family.name, name) : undefined;
    if (!fam || suffix === undefined) {
      fam = this.startFamily(name, start);
      suffix = '';
    }
    const owner = this.owners.get(name);
    if (owner && owner !== fam) failAt(s, start, `series "${name}" belongs to an earlier family`);
    this.owners.set(name, fam);
    fam.sampled = true;
    if (!fam.keep) return this.lineEnd(i) + 1;
    return this.sampleRest(start, i, name, suffix, fam);
  }

  private sampleRest(
    start: number,
    i: number,
    name: string,
    suffix: string,
    fam: OmFamily,
  ): number {
    const s = this.s;
    const labels: Record<string, string> = {};
    const c = s.charCodeAt(i);
    if (c === LBRACE || c === COMMA) i = this.labels(i, labels, c === COMMA);
    if (s.charCodeAt(i) !== SP) failAt(s, i, 'expected a single space before the value');
    i++;
    let end = i;
    while (end < s.length && s.charCodeAt(end) !== SP && s.charCodeAt(end) !== NL) end++;
    const value = parseNumber(s, i, end);
    if (value === undefined) failAt(s, i, `invalid value "${s.slice(i, end)}"`);
    const sample: Sample = { name, labels, value };
    i = end;
    let tsSeconds: number | undefined;
    if (s.charCodeAt(i) === SP && s.charCodeAt(i + 1) !== HASH) {
      i++;
      end = i;
      while (end < s.length && s.charCodeAt(end) !== SP && s.charCodeAt(end) !== NL) end++;
      sample.timestampMs = this.timestamp(i, end);
      tsSeconds = this.tsSeconds;
      i = end;
    }
    if (s.charCodeAt(i) === SP) {
      if (!exemplarAllowed(fam.family.type, suffix)) {
        failAt(
          s,
          i + 1,
          `exemplars are only allowed on counter _total and histogram _bucket samples`,
        );
      }
      sample.exemplar = this.exemplar(i + 1);
      i = this.pos;
    }
    if (s.charCodeAt(i) !== NL)
      failAt(
        s,
        i,
        i >= s.length ? 'line must end with a newline' : 'unexpected text at the end of the sample',
      );
    checkSample(this.s, start, sample, suffix, fam, tsSeconds);
    if (this.sink === undefined) fam.family.samples.push(sample);
    else this.sink(fam.family, sample);
    return i + 1;
  }

  /** Last parsed timestamp in seconds, as written (ms rounding must not merge distinct times). */
  private tsSeconds: number | undefined;

  private timestamp(i: number, end: number): number {
    const ts = parseNumber(this.s, i, end);
    if (ts === undefined || !Number.isFinite(ts)) failAt(this.s, i, 'invalid timestamp');
    this.tsSeconds = ts;
    return Math.round(ts * 1000);
  }

  private exemplar(i: number): Exemplar {
    const s = this.s;
    if (!s.startsWith('# {', i)) failAt(s, i, 'expected "# {" to start an exemplar');
    const labels: Record<string, string> = {};
    i = this.labels(i + 2, labels, false);
    let runes = 0;
    for (const key of Object.keys(labels)) runes += runeLength(key) + runeLength(labels[key] ?? '');
    if (runes > MAX_EXEMPLAR_RUNES)
      failAt(s, i, `exemplar labels exceed ${MAX_EXEMPLAR_RUNES} characters`);
    if (s.charCodeAt(i) !== SP) failAt(s, i, 'expected a space before the exemplar value');
    i++;
    let end = i;
    while (end < s.length && s.charCodeAt(end) !== SP && s.charCodeAt(end) !== NL) end++;
    const value = parseNumber(s, i, end);
    if (value === undefined) failAt(s, i, 'invalid exemplar value');
    const exemplar: Exemplar = { labels, value };
    if (s.charCodeAt(end) === SP) {
      const tsStart = end + 1;
      end = tsStart;
      while (end < s.length && s.charCodeAt(end) !== SP && s.charCodeAt(end) !== NL) end++;
      exemplar.timestampMs = this.timestamp(tsStart, end);
    }
    this.pos = end;
    return exemplar;
  }

  /** Strict label list starting at `{` (or at the comma after a quoted metric name). */
  private labels(i: number, labels: Record<string, string>, afterName: boolean): number {
    const s = this.s;
    const names = this.labelNames;
    names.length = 0;
    i++;
    if (!afterName && s.charCodeAt(i) === RBRACE) return i + 1;
    for (;;) {
      const nameStart = i;
      let labelName: string;
      if (s.charCodeAt(i) === QUOTE) {
        labelName = readQuoted(s, i, true, 'label name');
        i = quotedEnd;
      } else {
        if (!isLabelStart(s.charCodeAt(i))) failAt(s, i, 'expected label name');
        i++;
        while (isLabelChar(s.charCodeAt(i))) i++;
        labelName = s.slice(nameStart, i);
      }
      if (s.charCodeAt(i) !== EQUALS) failAt(s, i, `expected "=" after label name "${labelName}"`);
      if (s.charCodeAt(i + 1) !== QUOTE)
        failAt(s, i + 1, `expected quoted label value for "${labelName}"`);
      const value = readQuoted(s, i + 1, true, 'label value');
      i = quotedEnd;
      if (labelName === '__name__') failAt(s, nameStart, 'label name "__name__" is reserved');
      if (isDuplicate(names, names.length, labels, labelName)) {
        failAt(s, nameStart, `duplicate label name "${labelName}"`);
      }
      names.push(labelName);
      setLabel(labels, labelName, value);
      const c = s.charCodeAt(i);
      if (c === RBRACE) return i + 1;
      if (c !== COMMA) failAt(s, i, 'expected "," or "}" after a label');
      i++;
    }
  }
}
