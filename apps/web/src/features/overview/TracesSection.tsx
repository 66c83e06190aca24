import type { TraceSummary } from '@meshlens/contract';
import { Link } from 'react-router';
import { errorMessage } from '../../components/StateViews';
import { formatLatency, formatTimestamp } from '../../lib/format';
import type { TimeState } from '../../lib/timeUrl';
import { buildTracesUrl, parseTracesUrl } from '../traces/url';
import { type TraceSelection, useSelectionTracesQuery } from './useSelectionTracesQuery';

export interface TraceListProps {
  title: string;
  testId: string;
  traces: readonly TraceSummary[] | undefined;
  error: unknown;
  /** shown when the list is empty */
  emptyText: string;
  activeTraceId: string | undefined;
  onShowPath: (traceId: string) => void;
}

/** A compact list of traces; choosing one shows its path on the graph, "open" its waterfall. */
export function TraceList(props: TraceListProps) {
  const { traces, error } = props;
  return (
    <div className="trace-list" data-testid={props.testId}>
      <h3 className="h3">{props.title}</h3>
      {traces === undefined ? (
        error ? (
          <p className="error-text" role="alert">
            Traces could not be loaded: {errorMessage(error)}
          </p>
        ) : (
          <p className="muted">Loading traces…</p>
        )
      ) : traces.length === 0 ? (
        <p className="muted">{props.emptyText}</p>
      ) : (
        <ul className="plain">
          {traces.map((t) => (
            <li key={t.traceId} className="row between">
              <button
                type="button"
                className="link-button"
                aria-pressed={t.traceId === props.activeTraceId}
                title="Show this trace's path on the graph"
                onClick={() => props.onShowPath(t.traceId)}
              >
                <span className="mono-name">{t.rootName}</span>{' '}
                <span className="muted">
                  {formatLatency(t.durationMs)} · {formatTimestamp(t.startMs)}
                </span>
                {t.errorCount > 0 && <span className="err-badge"> {t.errorCount} err</span>}
              </button>
              <Link to={`/traces/${encodeURIComponent(t.traceId)}`} aria-label="Open trace">
                open
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export interface TracesSectionProps {
  selection: TraceSelection;
  time: TimeState;
  /** the selection's p95 latency: traces at least this long are "slow" */
  p95Ms: number | null;
  activeTraceId: string | undefined;
  onShowPath: (traceId: string) => void;
}

/** Recent and slow traces of the selected node or edge, for the page's time range. */
export function TracesSection(props: TracesSectionProps) {
  const { selection, time } = props;
  const slowMin = props.p95Ms === null ? undefined : Math.floor(props.p95Ms);
  const recent = useSelectionTracesQuery(selection, time, undefined);
  const slow = useSelectionTracesQuery(selection, time, slowMin, slowMin !== undefined);
  const what = selection.peer === undefined ? 'through it' : `from it to ${selection.peer}`;
  const empty = `No traces ${what} in this time range (traces are sampled: widen the window).`;
  const searchHref = buildTracesUrl({
    ...parseTracesUrl('', time),
    service: selection.service,
    time,
  });
  return (
    <section className="traces-section" aria-label="Traces">
      <TraceList
        title="Recent traces"
        testId="selection-recent-traces"
        traces={recent.data}
        error={recent.error}
        emptyText={empty}
        activeTraceId={props.activeTraceId}
        onShowPath={props.onShowPath}
      />
      <TraceList
        title={slowMin === undefined ? 'Slow traces' : `Slow traces (≥ p95, ${slowMin} ms)`}
        testId="selection-slow-traces"
        traces={slowMin === undefined ? [] : slow.data}
        error={slow.error}
        emptyText={slowMin === undefined ? 'No latency data in this time range.' : empty}
        activeTraceId={props.activeTraceId}
        onShowPath={props.onShowPath}
      />
      <Link to={searchHref}>Search all traces of {selection.service}</Link>
    </section>
  );
}
