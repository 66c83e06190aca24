import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/ApiContext';
import { liveOptions } from '../../api/queryClient';
import { effectiveRefresh, type TimeState } from '../../lib/timeUrl';

export function useControlPlaneQuery(time: TimeState) {
  const api = useApi();
  return useQuery({
    queryKey: ['controlplane'],
    queryFn: ({ signal }) => api.controlPlane(signal),
    ...liveOptions(effectiveRefresh(time)),
  });
}

export function useProcessesQuery(time: TimeState) {
  const api = useApi();
  return useQuery({
    queryKey: ['processes'],
    queryFn: ({ signal }) => api.processes(signal),
    ...liveOptions(effectiveRefresh(time)),
  });
}

export function useMeshTargetsQuery(time: TimeState) {
  const api = useApi();
  return useQuery({
    queryKey: ['targets'],
    queryFn: ({ signal }) => api.targets(signal),
    ...liveOptions(effectiveRefresh(time)),
  });
}

/** The diagnosis costs the backends several queries: refresh it slowly (the BFF caches 10 s too). */
export function useDiagnosisQuery(time: TimeState) {
  const api = useApi();
  const refresh = effectiveRefresh(time);
  return useQuery({
    queryKey: ['diagnosis'],
    queryFn: ({ signal }) => api.diagnosis(signal),
    ...liveOptions(refresh > 0 ? Math.max(refresh, 30_000) : 0),
  });
}
