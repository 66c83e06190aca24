import type { TraceResponse } from '@meshlens/contract';
import { Link } from 'react-router';
import { errorMessage } from '../../components/StateViews';
import { formatLatency } from '../../lib/format';
import type { TracePath } from '../traces/tracePath';

export interface TracePathBannerProps {
  traceId: string;
  trace: TraceResponse | undefined;
  error: unknown;
  path: TracePath | undefined;
  onClear: () => void;
}

/** Says which trace's path the graph highlights, and what of it the graph cannot show. */
export function TracePathBanner({ traceId, trace, error, path, onClear }: TracePathBannerProps) {
  return (
    <div className="trace-path-banner" role="status" data-testid="trace-path">
      {trace === undefined ? (
        error ? (
          <span className="error-text">
            Trace <span className="mono">{traceId}</span> could not be shown: {errorMessage(error)}
          </span>
        ) : (
          <span className="muted">Loading the path of trace {traceId}…</span>
        )
      ) : (
        <span>
          Path of trace <span className="mono-name">{trace.summary.rootName}</span>{' '}
          <span className="muted">
            ({formatLatency(trace.summary.durationMs)}, {trace.summary.spanCount} spans
            {trace.summary.errorCount > 0 ? `, ${trace.summary.errorCount} errors` : ''})
          </span>
          {': '}
          {path ? `${path.nodeIds.length} resources, ${path.edgeIds.length} calls highlighted` : ''}
          {path && path.missing.length > 0 && (
            <span className="muted"> · not on this graph: {path.missing.join(', ')}</span>
          )}
        </span>
      )}
      <span className="row">
        <Link to={`/traces/${encodeURIComponent(traceId)}`}>Open trace</Link>
        <button type="button" className="btn btn-small" onClick={onClear}>
          Clear path
        </button>
      </span>
    </div>
  );
}
