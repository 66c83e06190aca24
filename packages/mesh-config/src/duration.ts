// Gateway API duration strings (GEP-2257): 1-4 parts of up to 5 digits with h|m|s|ms, e.g. "1m30s", "250ms".
const DURATION_RE = /^(?:[0-9]{1,5}(?:h|ms|m|s)){1,4}$/;
const PART_RE = /([0-9]{1,5})(h|ms|m|s)/g;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Parses a Gateway API duration into milliseconds; undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_RE.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(PART_RE)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  }
  return total;
}
