import { useMemo } from 'react';
import { Link } from 'react-router';
import { ErrorState, LoadingState } from '../../components/StateViews';
import { formatLatency, formatTimestamp } from '../../lib/format';
import { useUrlState } from '../../lib/useUrlState';
import { buildOverviewUrl, DEFAULT_OVERVIEW } from '../overview/url';
import { SpanDetail } from './SpanDetail';
import { useTraceQuery } from './useTracesQueries';
import { buildTraceViewUrl, parseTraceViewUrl, type TraceViewUrl } from './url';
import { Waterfall } from './Waterfall';
import { buildWaterfall, serviceColor, traceBounds } from './waterfall';

function parse(p: Readonly<Record<string, string | undefined>>, search: string): TraceViewUrl {
  return parseTraceViewUrl(p.traceId ?? '', search);
}

export function TraceViewPage() {
  const [url, setUrl] = useUrlState(parse, buildTraceViewUrl);
  const q = useTraceQuery(url.traceId);
  const collapsed = useMemo(() => new Set(url.collapsed), [url.collapsed]);
  const spans = q.data?.trace.spans;
  const rows = useMemo(() => buildWaterfall(spans ?? [], collapsed), [spans, collapsed]);
  const bounds = useMemo(() => traceBounds(spans ?? []), [spans]);
  if (!q.data) {
    return q.isError ? (
      <ErrorState error={q.error} onRetry={() => void q.refetch()} />
    ) : (
      <LoadingState />
    );
  }
  const { summary } = q.data;
  const selected = spans?.find((s) => s.spanId === url.selectedSpan) ?? spans?.[0];

  function handleToggle(id: string) {
    const next = new Set(collapsed);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setUrl({ ...url, collapsed: [...next] }, { replace: true });
  }

  return (
    <div className="page">
      <div className="breadcrumbs">
        <Link to="/traces">Traces</Link>
        <span>/</span>
        <span className="mono">{url.traceId}</span>
      </div>
      <div className="toolbar">
        <h1 className="h1">
          <span style={{ color: serviceColor(summary.rootService) }}>{summary.rootService}</span>{' '}
          <span className="muted">{summary.rootName}</span>
        </h1>
        <span className="muted mono">
          {formatTimestamp(summary.startMs)} · {formatLatency(summary.durationMs)} ·{' '}
          {summary.spanCount} spans · {summary.services.length} services
          {summary.errorCount > 0 && (
            <span className="err-badge"> · {summary.errorCount} errors</span>
          )}
        </span>
        <Link to={pathOnGraphUrl(url.traceId, summary.startMs, summary.durationMs)}>
          Show path on the graph
        </Link>
      </div>
      <div className="trace-layout">
        <section className="panel" data-testid="waterfall">
          <Waterfall
            rows={rows}
            bounds={bounds}
            selectedSpan={selected?.spanId}
            collapsed={collapsed}
            onSelect={(id) => setUrl({ ...url, selectedSpan: id }, { replace: true })}
            onToggle={handleToggle}
          />
        </section>
        {selected && <SpanDetail span={selected} traceStart={bounds.start} />}
      </div>
    </div>
  );
}

/** The topology around the trace's time (a few minutes either side) with its path highlighted. */
function pathOnGraphUrl(traceId: string, startMs: number, durationMs: number): string {
  const margin = 5 * 60_000;
  return buildOverviewUrl({
    ...DEFAULT_OVERVIEW,
    trace: traceId,
    time: {
      range: {
        kind: 'absolute',
        from: Math.floor(startMs) - margin,
        to: Math.ceil(startMs + durationMs) + margin,
      },
      refreshMs: DEFAULT_OVERVIEW.time.refreshMs,
    },
  });
}
