import type { HistogramBucket } from '@meshlens/contract';
import { Link } from 'react-router';
import { formatCount, formatLatency } from '../../lib/format';

export interface HistogramBar {
  label: string;
  count: number;
  exemplarTraceId: string | undefined;
  exemplarValue: number | undefined;
}

/** Cumulative Prometheus buckets -> per-bucket counts (never negative after a reset). */
export function toBars(buckets: readonly HistogramBucket[]): HistogramBar[] {
  let prev = 0;
  let prevLe = 0;
  return buckets.map((b) => {
    const count = Math.max(0, b.count - prev);
    prev = Math.max(prev, b.count);
    const label = b.le === '+Inf' ? `>${formatLatency(prevLe)}` : `≤${formatLatency(b.le)}`;
    if (b.le !== '+Inf') prevLe = b.le;
    return {
      label,
      count,
      exemplarTraceId: b.exemplar?.traceId,
      exemplarValue: b.exemplar?.value,
    };
  });
}

export function LatencyHistogram({ buckets }: { buckets: readonly HistogramBucket[] }) {
  const bars = toBars(buckets);
  const max = Math.max(1, ...bars.map((b) => b.count));
  const withExemplars = bars.filter((b) => b.exemplarTraceId !== undefined);
  return (
    <div className="panel panel-pad" data-testid="latency-histogram">
      <h3 className="h2">Latency distribution</h3>
      <div className="histogram" aria-hidden="true">
        {bars.map((b, i) => (
          <div
            key={i}
            className={b.exemplarTraceId ? 'bar has-exemplar' : 'bar'}
            style={{ height: `${Math.max(1, (b.count / max) * 100)}%` }}
            title={`${b.label}: ${formatCount(b.count)} requests`}
          />
        ))}
      </div>
      <div className="histogram-axis" aria-hidden="true">
        {bars.map((b, i) => (
          <span key={i}>{i % 3 === 0 ? b.label : ''}</span>
        ))}
      </div>
      <h3 className="h3">Exemplars (jump to a real request)</h3>
      {withExemplars.length === 0 ? (
        <p className="muted">No exemplars in this window.</p>
      ) : (
        <ul className="plain">
          {withExemplars.map((b) => (
            <li key={b.exemplarTraceId}>
              bucket {b.label}: {formatLatency(b.exemplarValue)} —{' '}
              <Link to={`/traces/${encodeURIComponent(b.exemplarTraceId ?? '')}`} className="mono">
                trace {b.exemplarTraceId?.slice(0, 16)}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
