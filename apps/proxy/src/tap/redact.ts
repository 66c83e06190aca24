import type { IncomingHttpHeaders } from 'node:http';
import { TAP_ALWAYS_REDACTED } from '@meshlens/contract/tap-redaction';

export const REDACTED = '[redacted]';

/** The always-redacted names plus the configured ones, lower case. */
export function redactionSet(extra: readonly string[]): ReadonlySet<string> {
  return new Set([...TAP_ALWAYS_REDACTED, ...extra.map((h) => h.trim().toLowerCase())]);
}

/** Header values for a tap event; sensitive ones keep their name but lose their value. */
export function redactHeaders(
  headers: IncomingHttpHeaders,
  redacted: ReadonlySet<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    out[lower] = redacted.has(lower) ? REDACTED : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
