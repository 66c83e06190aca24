import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/ApiContext';
import { liveOptions } from '../../api/queryClient';
import { effectiveRefresh, rangeToQuery, type TimeState } from '../../lib/timeUrl';
import { topologyKindOf } from '../topology/graphTypes';
import type { GraphKind } from './url';

export function useTopologyQuery(
  kind: GraphKind,
  namespace: string | undefined,
  time: TimeState,
  enabled = true,
) {
  const api = useApi();
  // app graphs are folded in the page from the workload topology
  const q = { kind: topologyKindOf(kind), namespace, ...rangeToQuery(time.range) };
  return useQuery({
    queryKey: ['topology', q],
    queryFn: ({ signal }) => api.topology(q, signal),
    enabled,
    ...liveOptions(effectiveRefresh(time)),
  });
}
