import { BACKSLASH, QUOTE, RBRACE } from './chars';

// The identity of a series as a target wrote it, for consumers that remember series between
// scrapes (KnownSeries): cyrb53 (53 bits) over the characters of its name and labels.

const H1 = 0xdeadbeef;
const H2 = 0x41c6ce57;

function final(h1: number, h2: number): number {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The hash of `s.slice(start, end)`. */
export function seriesTextHash(s: string, start: number, end: number): number {
  let h1 = H1;
  let h2 = H2;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  return final(h1, h2);
}

/** Where the series hashed by the last labelledSeriesHash ends (after `}`), or -1: no `}`. */
export let labelledSeriesEnd = -1;

/**
 * The hash of a series from `start` to the `}` closing the labels opened at `brace`, found in the
 * same pass (quoted values may hold `}` and escaped quotes). Equal to `seriesTextHash` over that
 * span; `labelledSeriesEnd` is -1 when the input ends first.
 */
export function labelledSeriesHash(s: string, start: number, brace: number): number {
  let h1 = H1;
  let h2 = H2;
  let i = start;
  for (; i <= brace; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i++);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
    if (c === QUOTE) {
      // a quoted name or value: to its closing quote, escapes included
      while (i < n) {
        const q = s.charCodeAt(i++);
        h1 = Math.imul(h1 ^ q, 2654435761);
        h2 = Math.imul(h2 ^ q, 1597334677);
        if (q === QUOTE) break;
        if (q === BACKSLASH && i < n) {
          const e = s.charCodeAt(i++);
          h1 = Math.imul(h1 ^ e, 2654435761);
          h2 = Math.imul(h2 ^ e, 1597334677);
        }
      }
    } else if (c === RBRACE) {
      labelledSeriesEnd = i;
      return final(h1, h2);
    }
  }
  labelledSeriesEnd = -1;
  return 0;
}
