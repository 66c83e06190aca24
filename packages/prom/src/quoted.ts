import { failAt } from './errors';
import { BACKSLASH, NL, QUOTE } from './chars';

/** Offset just after the closing quote of the last readQuoted call (single-threaded parser state). */
export let quotedEnd = 0;

/**
 * Reads a double-quoted string starting at `start` (which must hold the opening quote).
 * Text format (as Prometheus' scrape parser): `\\`, `\"`, `\n` are unescaped, any other escape is
 * kept verbatim, raw newlines are allowed. OpenMetrics: only those three escapes, no raw newline.
 */
export function readQuoted(s: string, start: number, strict: boolean, what: string): string {
  const end = s.length;
  let i = start + 1;
  // Fast path: no escapes at all.
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      quotedEnd = i + 1;
      return s.slice(start + 1, i);
    }
    if (c === BACKSLASH) break;
    if (c === NL && strict) failAt(s, i, `unescaped newline in ${what}`);
  }
  let out = s.slice(start + 1, i);
  let from = i;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      quotedEnd = i + 1;
      return out + s.slice(from, i);
    }
    if (c === NL && strict) failAt(s, i, `unescaped newline in ${what}`);
    if (c !== BACKSLASH) continue;
    const next = s.charCodeAt(i + 1);
    let replacement: string | undefined;
    if (next === BACKSLASH) replacement = '\\';
    else if (next === QUOTE) replacement = '"';
    else if (next === 110) replacement = '\n';
    if (replacement === undefined) {
      if (strict || i + 1 >= end) failAt(s, i, `invalid escape sequence in ${what}`);
      i++;
      continue;
    }
    out += s.slice(from, i) + replacement;
    i++;
    from = i + 1;
  }
  return failAt(s, start, `unterminated quoted ${what}`);
}

/** Unescapes HELP text: `\\` and `\n` (plus `\"` in OpenMetrics); other escapes are invalid in OM. */
export function unescapeHelp(s: string, start: number, end: number, strict: boolean): string {
  const raw = s.slice(start, end);
  if (raw.indexOf('\\') === -1) return raw;
  let out = '';
  let from = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw.charCodeAt(i) !== BACKSLASH) continue;
    const next = raw.charCodeAt(i + 1);
    let replacement: string | undefined;
    if (next === BACKSLASH) replacement = '\\';
    else if (next === 110) replacement = '\n';
    else if (next === QUOTE && strict) replacement = '"';
    if (replacement === undefined) {
      if (strict) failAt(s, start + i, 'invalid escape sequence in HELP');
      continue;
    }
    out += raw.slice(from, i) + replacement;
    i++;
    from = i + 1;
  }
  return out + raw.slice(from);
}
