import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/ApiContext';
import { liveOptions } from '../../api/queryClient';
import { effectiveRefresh, rangeToQuery } from '../../lib/timeUrl';
import type { TracesUrl } from './url';

export function useTracesQuery(url: TracesUrl) {
  const api = useApi();
  const q = {
    service: url.service === '' ? undefined : url.service,
    minDurationMs: url.minDurationMs,
    error: url.errorOnly ? true : undefined,
    limit: url.limit,
    ...rangeToQuery(url.time.range),
  };
  return useQuery({
    queryKey: ['traces', q],
    queryFn: ({ signal }) => api.traces(q, signal),
    ...liveOptions(effectiveRefresh(url.time)),
  });
}

export function useTraceQuery(traceId: string, enabled = true) {
  const api = useApi();
  return useQuery({
    queryKey: ['trace', traceId],
    queryFn: ({ signal }) => api.trace(traceId, signal),
    enabled,
    // A trace can still be receiving spans; a slow refresh picks up late ones.
    ...liveOptions(0),
  });
}
