import { useRef } from 'react';

const MAX_POINTS = 30;

/**
 * The stat API answers "now"; the trend column needs recent history. Each refresh appends the
 * current value per row (at most once per server tick), so trends fill in while you watch.
 */
export function useTrendHistory(
  scope: string,
  generatedAt: number | undefined,
  rows: readonly { id: string; value: number | null }[],
): ReadonlyMap<string, readonly (number | null)[]> {
  const ref = useRef<{ scope: string; at: number; series: Map<string, (number | null)[]> }>({
    scope,
    at: -1,
    series: new Map(),
  });
  const state = ref.current;
  if (state.scope !== scope) {
    state.scope = scope;
    state.at = -1;
    state.series = new Map();
  }
  if (generatedAt !== undefined && generatedAt !== state.at) {
    state.at = generatedAt;
    const next = new Map<string, (number | null)[]>();
    for (const r of rows) {
      const prev = state.series.get(r.id) ?? [];
      next.set(r.id, [...prev, r.value].slice(-MAX_POINTS));
    }
    state.series = next;
  }
  return state.series;
}
