import { enc, parseBool, parseNonNegative, toSearch } from '../../lib/search';
import { defaultWindowFor } from '../../lib/timeDefaults';
import { writeTime, type TimeState } from '../../lib/timeUrl';

const TRACES_DEFAULT_WINDOW = defaultWindowFor('/traces');

export interface TracesUrl {
  service: string;
  minDurationMs: number | undefined;
  errorOnly: boolean;
  limit: number;
  time: TimeState;
}

export const DEFAULT_TRACE_LIMIT = 50;

export function parseTracesUrl(search: string, time: TimeState): TracesUrl {
  const p = new URLSearchParams(search);
  const limit = parseNonNegative(p.get('limit'));
  return {
    service: p.get('service') ?? '',
    minDurationMs: parseNonNegative(p.get('minDurationMs')),
    errorOnly: parseBool(p.get('error')),
    limit:
      limit !== undefined && limit >= 1 ? Math.min(Math.floor(limit), 1000) : DEFAULT_TRACE_LIMIT,
    time,
  };
}

export function buildTracesUrl(s: TracesUrl): string {
  const p = new URLSearchParams();
  if (s.service !== '') p.set('service', s.service);
  if (s.minDurationMs !== undefined) p.set('minDurationMs', String(s.minDurationMs));
  if (s.errorOnly) p.set('error', 'true');
  if (s.limit !== DEFAULT_TRACE_LIMIT) p.set('limit', String(s.limit));
  writeTime(p, s.time, TRACES_DEFAULT_WINDOW);
  return `/traces${toSearch(p)}`;
}

export interface TraceViewUrl {
  traceId: string;
  selectedSpan: string | undefined;
  collapsed: string[];
}

export function parseTraceViewUrl(traceId: string, search: string): TraceViewUrl {
  const p = new URLSearchParams(search);
  const collapsed = (p.get('collapsed') ?? '').split(',').filter((s) => s !== '');
  return { traceId, selectedSpan: p.get('span') ?? undefined, collapsed };
}

export function buildTraceViewUrl(s: TraceViewUrl): string {
  const p = new URLSearchParams();
  if (s.selectedSpan !== undefined) p.set('span', s.selectedSpan);
  if (s.collapsed.length > 0) p.set('collapsed', [...s.collapsed].sort().join(','));
  return `/traces/${enc(s.traceId)}${toSearch(p)}`;
}
