import { failAt } from './errors';
import { BACKSLASH, NL, QUOTE } from './chars';

/** Offset just after the closing quote of the last readQuoted call (single-threaded parser state). */
export let quotedEnd = 0;

/**
 * Reads a double-quoted string starting at `start` (which must hold the opening quote).
 * `\\`, `\"`, `\n` are unescaped; any other escape is kept verbatim, as Prometheus and the
 * OpenMetrics reference parser do (the OpenMetrics corpus has a valid `\z`). Raw newlines are
 * allowed in the text format (Prometheus' scrape parser accepts them), not in OpenMetrics.
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
      if (i + 1 >= end) failAt(s, i, `unterminated quoted ${what}`);
      i++;
      continue;
    }
    out += s.slice(from, i) + replacement;
    i++;
    from = i + 1;
  }
  return failAt(s, start, `unterminated quoted ${what}`);
}

/** Unescapes HELP text: `\\` and `\n` (plus `\"` in OpenMetrics); other escapes stay verbatim. */
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
    if (replacement === undefined) continue;
    out += raw.slice(from, i) + replacement;
    i++;
    from = i + 1;
  }
  return out + raw.slice(from);
}
