// Small helpers to keep url.ts files declarative.
export function toSearch(params: URLSearchParams): string {
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

export function enc(segment: string): string {
  return encodeURIComponent(segment);
}

export function parseEnum<T extends string>(
  v: string | null,
  allowed: readonly T[],
  fallback: T,
): T {
  return v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
}

export function parseBool(v: string | null): boolean {
  return v === '1' || v === 'true';
}

export function parseNonNegative(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

export type SortDir = 'asc' | 'desc';
export interface SortState<K extends string> {
  key: K;
  dir: SortDir;
}

/** "rps" / "-rps" style sort parameter: a leading minus means descending. */
export function parseSort<K extends string>(
  v: string | null,
  keys: readonly K[],
  fallback: SortState<K>,
): SortState<K> {
  if (v === null) return fallback;
  const dir: SortDir = v.startsWith('-') ? 'desc' : 'asc';
  const key = v.replace(/^-/, '');
  return (keys as readonly string[]).includes(key) ? { key: key as K, dir } : fallback;
}

export function formatSort<K extends string>(s: SortState<K>): string {
  return s.dir === 'desc' ? `-${s.key}` : s.key;
}
