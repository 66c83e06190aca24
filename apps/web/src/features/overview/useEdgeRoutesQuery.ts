import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/ApiContext';
import { liveOptions } from '../../api/queryClient';
import { effectiveRefresh, rangeToQuery, type TimeState } from '../../lib/timeUrl';

/**
 * Per-route signals of the service an edge calls (`/api/v1/routes`): only a service has routes,
 * so the query runs when the edge ends at one.
 */
export function useEdgeRoutesQuery(
  service: { namespace: string; name: string } | undefined,
  time: TimeState,
) {
  const api = useApi();
  const q = {
    namespace: service?.namespace ?? '',
    name: service?.name ?? '',
    ...rangeToQuery(time.range),
  };
  return useQuery({
    queryKey: ['routes', q],
    queryFn: ({ signal }) => api.routes(q, signal),
    enabled: service !== undefined,
    retry: false,
    ...liveOptions(effectiveRefresh(time)),
  });
}
