import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/ApiContext';
import { liveOptions } from '../../api/queryClient';
import { effectiveRefresh, rangeToQuery, type TimeState } from '../../lib/timeUrl';

/** The selected node's time series over the page's period, for the side panel's sparklines. */
export function useNodeSeriesQuery(
  node: { kind: string; namespace: string; name: string } | undefined,
  time: TimeState,
) {
  const api = useApi();
  const q = node
    ? { kind: node.kind, namespace: node.namespace, name: node.name, ...rangeToQuery(time.range) }
    : {};
  return useQuery({
    queryKey: ['timeseries', q],
    queryFn: ({ signal }) => api.timeseries(q, signal),
    enabled: node !== undefined && node.kind !== 'namespace',
    retry: false,
    ...liveOptions(effectiveRefresh(time)),
  });
}
