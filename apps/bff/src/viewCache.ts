import type { TelemetrySource } from '@meshlens/telemetry';

export interface ViewCache {
  /** computes `key` once per tick; concurrent callers share the same promise */
  get<T>(key: string, compute: () => Promise<T>): Promise<T>;
  size(): number;
  close(): void;
}

export interface ViewCacheOptions {
  /** backstop when a source ticks rarely or never: entries older than this are recomputed */
  maxAgeMs?: number;
  /** many distinct queries (e.g. absolute ranges) must not grow memory without bound */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  at: number;
  value: Promise<unknown>;
}

/** Every view is computed at most once per source tick and shared by all viewers. */
export function createViewCache(source: TelemetrySource, opts: ViewCacheOptions = {}): ViewCache {
  const maxAge = opts.maxAgeMs ?? 5000;
  const maxEntries = opts.maxEntries ?? 1000;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const unsubscribe = source.onTick(() => entries.clear());
  return {
    get<T>(key: string, compute: () => Promise<T>): Promise<T> {
      const hit = entries.get(key);
      if (hit && now() - hit.at < maxAge) return hit.value as Promise<T>;
      if (entries.size >= maxEntries) entries.clear();
      const value = compute();
      const entry: Entry = { at: now(), value };
      entries.set(key, entry);
      // A failure is not cached: the next viewer retries.
      value.catch(() => {
        if (entries.get(key) === entry) entries.delete(key);
      });
      return value;
    },
    size: () => entries.size,
    close: unsubscribe,
  };
}
