import type { TopRow } from '@meshlens/api-client';
import { EmptyState } from '../../components/StateViews';

function ms(v: number): string {
  return Number.isFinite(v) ? `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ms` : '—';
}

/** `top`: the tapped calls by path and peer, busiest first. */
export function TopView({ rows, now }: { rows: readonly TopRow[]; now: number }) {
  if (rows.length === 0) return <EmptyState title="No completed calls yet" />;
  return (
    <div className="table-wrap">
      <table className="data-table" data-testid="tap-top">
        <thead>
          <tr>
            <th>Dir</th>
            <th>Peer</th>
            <th>Method</th>
            <th>Path</th>
            <th className="num">Count</th>
            <th className="num">Success</th>
            <th className="num">Min</th>
            <th className="num">P50</th>
            <th className="num">Max</th>
            <th className="num">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>{r.direction === 'inbound' ? 'from' : 'to'}</td>
              <td className="mono-name">{r.peer}</td>
              <td className="mono">{r.method}</td>
              <td className="mono-name">{r.path}</td>
              <td className="num">{r.count}</td>
              <td className="num">{((r.successes / r.count) * 100).toFixed(0)}%</td>
              <td className="num">{ms(r.minMs)}</td>
              <td className="num">{ms(r.p50Ms)}</td>
              <td className="num">{ms(r.maxMs)}</td>
              <td className="num">{Math.max(0, Math.round((now - r.lastSeen) / 1000))} s ago</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
