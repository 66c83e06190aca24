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
  /** views read since the last tick that are recomputed as soon as the next one comes (default 32) */
  maxRefresh?: number;
  now?: () => number;
}

interface Entry {
  at: number;
  value: Promise<unknown>;
}

/**
 * Every view is computed at most once per source tick (or per `maxAgeMs`, for a source that ticks
 * rarely) and shared by all viewers. The views read since the last refresh are recomputed as soon
 * as a tick comes or they reach `maxAgeMs`, one per turn of the event loop, so the dashboards
 * polling them find the answer ready instead of the first of them paying for it (a topology of
 * 1,000 targets costs tens of milliseconds). A view nobody read since the last refresh is dropped.
 */
export function createViewCache(source: TelemetrySource, opts: ViewCacheOptions = {}): ViewCache {
  const maxAge = opts.maxAgeMs ?? 5000;
  const maxEntries = opts.maxEntries ?? 1000;
  const maxRefresh = opts.maxRefresh ?? 32;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry>();
  /** views read since the last refresh, with how to compute them */
  let hot = new Map<string, () => Promise<unknown>>();
  let closed = false;
  let pending: NodeJS.Immediate | undefined;
  let timer: NodeJS.Timeout | undefined;

  const store = (key: string, compute: () => Promise<unknown>): Promise<unknown> => {
    if (entries.size >= maxEntries) entries.clear();
    const value = compute();
    const entry: Entry = { at: now(), value };
    entries.set(key, entry);
    // A failure is not cached: the next viewer retries.
    value.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
    return value;
  };

  const recompute = (queue: [string, () => Promise<unknown>][]): void => {
    const next = queue.shift();
    if (closed || next === undefined) {
      pending = undefined;
      return;
    }
    const [key, compute] = next;
    // a viewer may have asked for it since the refresh began
    if (!entries.has(key)) store(key, compute).catch(() => undefined);
    pending = setImmediate(recompute, queue);
  };

  const refresh = (): void => {
    if (closed) return;
    entries.clear();
    if (pending !== undefined) clearImmediate(pending);
    clearTimeout(timer);
    const queue = [...hot];
    hot = new Map();
    pending = queue.length > 0 ? setImmediate(recompute, queue) : undefined;
    // re-armed by the next read when nobody is reading
    timer = queue.length > 0 ? setTimeout(refresh, maxAge).unref() : undefined;
  };

  const unsubscribe = source.onTick(refresh);
  return {
    get<T>(key: string, compute: () => Promise<T>): Promise<T> {
      if (hot.size < maxRefresh || hot.has(key)) hot.set(key, compute);
      timer ??= setTimeout(refresh, maxAge).unref();
      const hit = entries.get(key);
      if (hit && now() - hit.at < maxAge) return hit.value as Promise<T>;
      return store(key, compute) as Promise<T>;
    },
    size: () => entries.size,
    close() {
      closed = true;
      if (pending !== undefined) clearImmediate(pending);
      clearTimeout(timer);
      unsubscribe();
    },
  };
}
