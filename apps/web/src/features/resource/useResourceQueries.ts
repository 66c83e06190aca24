import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/ApiContext';
import { liveOptions } from '../../api/queryClient';
import { effectiveRefresh, rangeToQuery, type TimeState } from '../../lib/timeUrl';
import type { ResourceUrl } from './url';

function base(url: ResourceUrl) {
  return {
    kind: url.kind,
    namespace: url.namespace,
    name: url.name,
    ...rangeToQuery(url.time.range),
  };
}

export function useResourceStatQuery(url: ResourceUrl) {
  const api = useApi();
  const q = base(url);
  return useQuery({
    queryKey: ['stat', q],
    queryFn: ({ signal }) => api.stat(q, signal),
    ...liveOptions(effectiveRefresh(url.time)),
  });
}

export function useTimeseriesQuery(url: ResourceUrl, enabled: boolean) {
  const api = useApi();
  const q = base(url);
  return useQuery({
    queryKey: ['timeseries', q],
    queryFn: ({ signal }) => api.timeseries(q, signal),
    enabled,
    ...liveOptions(effectiveRefresh(url.time)),
  });
}

export function useHistogramQuery(url: ResourceUrl, enabled: boolean) {
  const api = useApi();
  const q = base(url);
  return useQuery({
    queryKey: ['histogram', q],
    queryFn: ({ signal }) => api.histogram(q, signal),
    enabled,
    ...liveOptions(effectiveRefresh(url.time)),
  });
}

export function useResourceEdgesQuery(url: ResourceUrl, enabled: boolean) {
  const api = useApi();
  const q = base(url);
  return useQuery({
    queryKey: ['edges', q],
    queryFn: ({ signal }) => api.edges(q, signal),
    enabled,
    ...liveOptions(effectiveRefresh(url.time)),
  });
}

export function useNeighbourhoodQuery(url: ResourceUrl, enabled: boolean) {
  const api = useApi();
  const kind = url.kind === 'service' ? 'service' : 'workload';
  const q = { kind, ...rangeToQuery(url.time.range) };
  return useQuery({
    queryKey: ['topology', q],
    queryFn: ({ signal }) => api.topology(q, signal),
    enabled,
    ...liveOptions(effectiveRefresh(url.time)),
  });
}

export function usePodsQuery(url: ResourceUrl, enabled: boolean) {
  const api = useApi();
  const q = { kind: 'pod', namespace: url.namespace, ...rangeToQuery(url.time.range) };
  return useQuery({
    queryKey: ['stat', q],
    queryFn: ({ signal }) => api.stat(q, signal),
    enabled,
    ...liveOptions(effectiveRefresh(url.time)),
  });
}

export function useTargetsQuery(time: TimeState, enabled = true) {
  const api = useApi();
  return useQuery({
    queryKey: ['targets'],
    queryFn: ({ signal }) => api.targets(signal),
    enabled,
    ...liveOptions(effectiveRefresh(time)),
  });
}

export function useResourceTracesQuery(
  service: string,
  time: TimeState,
  minDurationMs: number | undefined,
  enabled: boolean,
) {
  const api = useApi();
  // The traces of the period the page shows, like its metrics (the range was once left out).
  const q = { service, minDurationMs, limit: 10, ...rangeToQuery(time.range) };
  return useQuery({
    queryKey: ['traces', q],
    queryFn: ({ signal }) => api.traces(q, signal),
    enabled,
    ...liveOptions(effectiveRefresh(time)),
  });
}
