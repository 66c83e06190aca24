// Number formatting shared by tables, charts and headlines. Every function accepts
// null/undefined/NaN and renders an em dash, because "no traffic" is not zero.
const DASH = '—';

function isMissing(v: number | null | undefined): v is null | undefined {
  return v === null || v === undefined || Number.isNaN(v);
}

function trim(n: number, digits: number): string {
  const s = n.toFixed(digits);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** Requests per second: "0", "0.05", "12.3", "1.2k". */
export function formatRps(v: number | null | undefined): string {
  if (isMissing(v)) return DASH;
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1_000_000) return `${trim(v / 1_000_000, 1)}M`;
  if (a >= 1000) return `${trim(v / 1000, 1)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return trim(v, 1);
  if (a >= 0.01) return trim(v, 2);
  return '<0.01';
}

/** Success rate 0..1 as a percentage with two decimals: "99.95%". */
export function formatPercent(v: number | null | undefined): string {
  if (isMissing(v)) return DASH;
  const pct = v * 100;
  if (pct === 100 || pct === 0) return `${pct}%`;
  return `${pct.toFixed(2)}%`;
}

/** Latency in milliseconds: "850µs", "12ms", "1.25s", "2m 5s". */
export function formatLatency(ms: number | null | undefined): string {
  if (isMissing(ms)) return DASH;
  if (!Number.isFinite(ms)) return ms > 0 ? '∞' : DASH;
  if (ms === 0) return '0ms';
  if (ms < 1) return `${trim(ms * 1000, 0)}µs`;
  if (ms < 10) return `${trim(ms, 2)}ms`;
  if (ms < 1000) return `${trim(ms, 0)}ms`;
  if (ms < 60_000) return `${trim(ms / 1000, 2)}s`;
  const min = Math.floor(ms / 60_000);
  const sec = Math.round((ms - min * 60_000) / 1000);
  return `${min}m ${sec}s`;
}

/** Bytes with binary units: "512 B", "1.5 KiB". */
export function formatBytes(v: number | null | undefined): string {
  if (isMissing(v)) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = v;
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n.toFixed(0)} B` : `${trim(n, 1)} ${units[i] ?? ''}`;
}

/** Plain integer with thousands separators. */
export function formatCount(v: number | null | undefined): string {
  if (isMissing(v)) return DASH;
  return Math.round(v).toLocaleString('en-US');
}

/** Wall-clock time in UTC ISO-ish form, stable across locales. */
export function formatTimestamp(ms: number | null | undefined): string {
  if (isMissing(ms)) return DASH;
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** "5s ago", "3m ago", "2h ago" relative to now. */
export function formatAgo(ms: number | null | undefined, now: number): string {
  if (isMissing(ms)) return DASH;
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}
