import type { RoutesResponse } from '@meshlens/contract';
import { Link } from 'react-router';
import { formatLatency, formatPercent, formatRps } from '../../lib/format';
import type { ViewEdge, ViewNode } from '../topology/aggregate';
import { NodeSignals, type TrendPoint } from './NodeSignals';

export interface EdgeDetailProps {
  edge: ViewEdge;
  source: ViewNode | undefined;
  target: ViewNode | undefined;
  hrefOf: (n: ViewNode) => string | undefined;
  onClose: () => void;
  /** the edge's signals recorded at each refresh while it is selected */
  trend: readonly TrendPoint[];
  /** routes of the service the edge calls (only when it ends at a service) */
  routes?: { data: RoutesResponse | undefined; error: string | undefined } | undefined;
}

/** How many routes the panel lists (the busiest first). */
const TOP = 5;

function Routes({ routes }: { routes: NonNullable<EdgeDetailProps['routes']> }) {
  if (routes.error) return <p className="muted">Routes unavailable: {routes.error}</p>;
  if (!routes.data) return <p className="muted">Loading routes…</p>;
  const rows = [...routes.data.routes].sort((a, b) => b.rps - a.rps);
  if (rows.length === 0) return <p className="muted">No route has traffic in this period.</p>;
  return (
    <>
      <p className="muted">All callers of the service, per HTTPRoute rule:</p>
      <ul className="plain" aria-label="Top routes">
        {rows.slice(0, TOP).map((r) => (
          <li key={`${r.route}#${r.rule}`}>
            <span className="mono-name">
              {r.route}
              {r.rule === '' ? '' : ` #${r.rule}`}
            </span>{' '}
            <span className="muted">
              {formatRps(r.rps)} rps · {formatPercent(r.successRate)} · p99{' '}
              {formatLatency(r.latencyMs.p99)}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

function End({
  node,
  id,
  href,
}: {
  node: ViewNode | undefined;
  id: string;
  href: string | undefined;
}) {
  const text = node ? `${node.namespace}/${node.name}` : id;
  return href ? (
    <Link className="mono-name" to={href}>
      {text}
    </Link>
  ) : (
    <span className="mono-name">{text}</span>
  );
}

/** The selected edge: its signals, its security, and links to both ends. */
export function EdgeDetail({
  edge,
  source,
  target,
  hrefOf,
  onClose,
  trend,
  routes,
}: EdgeDetailProps) {
  return (
    <div className="node-detail" data-testid="edge-detail">
      <div className="row between">
        <h2 className="h2">Edge</h2>
        <button
          type="button"
          className="btn btn-small"
          aria-label="Close details"
          onClick={onClose}
        >
          ✕
        </button>
      </div>
      <p>
        <End node={source} id={edge.source} href={source && hrefOf(source)} /> →{' '}
        <End node={target} id={edge.target} href={target && hrefOf(target)} />
      </p>
      <NodeSignals
        rps={edge.rps}
        successRate={edge.successRate}
        latencyMs={edge.latencyMs}
        latencyIsMax={edge.latencyOf === 'max'}
        series={undefined}
        seriesError={undefined}
        recorded={{
          points: trend,
          note: 'Trends recorded while this edge is selected, one point per refresh.',
        }}
      />
      <dl className="kv">
        <dt>Requests</dt>
        <dd>
          {Math.round(edge.requests.success)} ok / {Math.round(edge.requests.failure)} failed
        </dd>
        <dt>mTLS</dt>
        <dd>{edge.mtls === 'mtls' ? 'mTLS' : edge.mtls}</dd>
      </dl>
      {routes && (
        <>
          <h3 className="h3">Top routes</h3>
          <Routes routes={routes} />
        </>
      )}
    </div>
  );
}
