import type { TopologyEdge } from '@meshlens/contract';
import type { TrendPoint } from './NodeSignals';
import { useTrendHistory } from './useTrendHistory';

/**
 * The API keeps time series per resource, not per edge: the side panel records the selected
 * edge's signals at each refresh instead, so its trends fill in while it stays selected.
 */
export function useEdgeTrend(
  edge: Pick<TopologyEdge, 'id' | 'rps' | 'successRate' | 'latencyMs'> | undefined,
  generatedAt: number | undefined,
): TrendPoint[] {
  const history = useTrendHistory(
    edge?.id ?? '',
    edge ? generatedAt : undefined,
    edge
      ? [
          { id: 'rps', value: edge.rps },
          { id: 'sr', value: edge.successRate },
          { id: 'p99', value: edge.latencyMs.p99 },
        ]
      : [],
  );
  const rps = history.get('rps') ?? [];
  const sr = history.get('sr') ?? [];
  const p99 = history.get('p99') ?? [];
  return rps.map((v, i) => ({ rps: v ?? 0, successRate: sr[i] ?? null, p99: p99[i] ?? null }));
}
