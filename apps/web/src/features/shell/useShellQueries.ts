import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/ApiContext';
import { liveOptions } from '../../api/queryClient';

export function useStatusQuery(refreshMs: number) {
  const api = useApi();
  return useQuery({
    queryKey: ['status'],
    queryFn: ({ signal }) => api.status(signal),
    ...liveOptions(refreshMs),
    retry: false,
  });
}

export function useNamespacesQuery(refreshMs: number) {
  const api = useApi();
  return useQuery({
    queryKey: ['namespaces'],
    queryFn: ({ signal }) => api.namespaces(signal),
    ...liveOptions(refreshMs > 0 ? Math.max(refreshMs, 15_000) : 0),
  });
}

/** How far back the source answers: the replay slider's bounds (refreshed while replaying). */
export function useHistoryQuery(enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: ['history'],
    queryFn: ({ signal }) => api.history(signal),
    enabled,
    ...liveOptions(30_000),
  });
}
