import type { Span } from '@meshlens/contract';
import { formatLatency, formatTimestamp } from '../../lib/format';

export function SpanDetail({ span, traceStart }: { span: Span; traceStart: number }) {
  const attrs = Object.entries(span.attributes).sort(([a], [b]) => a.localeCompare(b));
  return (
    <aside className="panel span-detail" aria-label="Span detail" data-testid="span-detail">
      <h2 className="h2">
        <span>{span.service}</span>
      </h2>
      <p className="muted">{span.name}</p>
      <dl className="kv">
        <dt>Status</dt>
        <dd className={span.status.code === 'error' ? 'err-badge' : undefined}>
          {span.status.code}
          {span.status.message ? `: ${span.status.message}` : ''}
        </dd>
        <dt>Kind</dt>
        <dd>{span.kind}</dd>
        <dt>Duration</dt>
        <dd>{formatLatency(span.durationMs)}</dd>
        <dt>Starts at</dt>
        <dd>+{formatLatency(span.startMs - traceStart)}</dd>
        <dt>Start time</dt>
        <dd>{formatTimestamp(span.startMs)}</dd>
        <dt>Span id</dt>
        <dd>{span.spanId}</dd>
      </dl>
      <h3 className="h3">Attributes ({attrs.length})</h3>
      <table className="attr-table">
        <tbody>
          {attrs.map(([k, v]) => (
            <tr key={k}>
              <td>{k}</td>
              <td>{String(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 className="h3">Events ({span.events.length})</h3>
      <ul className="plain">
        {span.events.map((ev, i) => (
          <li key={i}>
            <span className="mono">+{formatLatency(ev.timeMs - traceStart)}</span> {ev.name}
            {Object.keys(ev.attributes).length > 0 && (
              <span className="muted">
                {' '}
                {Object.entries(ev.attributes)
                  .map(([k, v]) => `${k}=${String(v)}`)
                  .join(' ')}
              </span>
            )}
          </li>
        ))}
      </ul>
    </aside>
  );
}
