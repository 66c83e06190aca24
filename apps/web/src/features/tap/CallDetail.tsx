import type { Call } from './callLog';
import { peerLabel } from './LiveCallsTable';

function Headers({
  title,
  headers,
}: {
  title: string;
  headers: Record<string, string> | undefined;
}) {
  if (headers === undefined) return null;
  return (
    <>
      <h3 className="panel-title">{title}</h3>
      <dl className="kv" data-testid={`tap-${title.toLowerCase().replace(' ', '-')}`}>
        {Object.entries(headers).map(([k, v]) => (
          <div key={k}>
            <dt className="mono">{k}</dt>
            <dd className="mono-name">{v}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}

/** Everything the tap knows of one call; all values are text (they come from the network). */
export function CallDetail({ call, onClose }: { call: Call; onClose: () => void }) {
  const { start, headers, end } = call;
  const rows: [string, string][] = [
    ['Request', `${start.method} ${start.authority}${start.path}`],
    ['Direction', start.direction],
    ['Proxy', `${start.proxy.namespace}/${start.proxy.pod}`],
    ['From', peerLabel(start.src)],
    ['From identity', start.src.identity ?? '—'],
    ['To', peerLabel(headers?.dst ?? start.dst)],
    ['To identity', headers?.dst?.identity ?? start.dst.identity ?? '—'],
    ['mTLS', start.tls ? 'yes' : 'no'],
    ['Status', String(end?.status ?? headers?.status ?? 'pending')],
    ['Time to headers', headers === undefined ? '—' : `${headers.sinceStartMs.toFixed(1)} ms`],
    ['Duration', end === undefined ? '—' : `${end.durationMs.toFixed(1)} ms`],
    ['Response bytes', end === undefined ? '—' : String(end.responseBytes)],
    ['Proxy error', end?.reason ?? end?.error ?? '—'],
  ];
  return (
    <aside
      className="panel panel-pad detail-panel"
      data-testid="tap-detail"
      aria-label="Call detail"
    >
      <div className="between">
        <h2 className="panel-title">Call {call.id}</h2>
        <button type="button" className="btn btn-small" onClick={onClose}>
          Close
        </button>
      </div>
      <dl className="kv">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd className="mono-name">{v}</dd>
          </div>
        ))}
      </dl>
      <Headers title="Request headers" headers={start.headers} />
      <Headers title="Response headers" headers={headers?.headers} />
    </aside>
  );
}
