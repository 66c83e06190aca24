import type { TraceSummary } from '@meshlens/contract';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/ApiContext';
import { liveOptions } from '../../api/queryClient';
import { effectiveRefresh, rangeToQuery, type TimeState } from '../../lib/timeUrl';

/** What the side panel lists traces for: a node (service) or an edge (service -> peer). */
export interface TraceSelection {
  service: string;
  /** for an edge: the callee, which a trace must also pass through */
  peer?: string | undefined;
}

export const SIDE_PANEL_TRACES = 8;
/** Edge traces are found among the caller's traces; fetch more so enough pass through the callee. */
const EDGE_CANDIDATES = 200;

/** Newest traces of the selection in the page's time range, at least `minDurationMs` long. */
export function useSelectionTracesQuery(
  sel: TraceSelection,
  time: TimeState,
  minDurationMs: number | undefined,
  enabled = true,
) {
  const api = useApi();
  const q = {
    service: sel.service,
    minDurationMs,
    limit: sel.peer === undefined ? SIDE_PANEL_TRACES : EDGE_CANDIDATES,
    ...rangeToQuery(time.range),
  };
  const peer = sel.peer;
  return useQuery({
    queryKey: ['traces', q],
    queryFn: ({ signal }) => api.traces(q, signal),
    select: (r): TraceSummary[] =>
      (peer === undefined ? r.traces : r.traces.filter((t) => t.services.includes(peer))).slice(
        0,
        SIDE_PANEL_TRACES,
      ),
    enabled,
    ...liveOptions(effectiveRefresh(time)),
  });
}
