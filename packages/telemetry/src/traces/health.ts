import type { TraceSourceKind, TraceSourceStatus } from './traceSource';

/** Remembers how the last request to a backend went, for status() and the mesh-health page. */
export function createHealth(kind: TraceSourceKind, url: string | null, now: () => number) {
  let state: TraceSourceStatus = { kind, url, healthy: false, lastError: null, lastCheckMs: null };
  return {
    status: (): TraceSourceStatus => ({ ...state }),
    async track<T>(work: () => Promise<T>): Promise<T> {
      try {
        const out = await work();
        state = { ...state, healthy: true, lastError: null, lastCheckMs: now() };
        return out;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        state = { ...state, healthy: false, lastError: message, lastCheckMs: now() };
        throw err;
      }
    },
  };
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the order of the results. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
