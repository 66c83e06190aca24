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
