import { Link } from 'react-router';
import type { ViewEdge, ViewNode } from '../topology/aggregate';
import { NodeSignals } from './NodeSignals';

export interface EdgeDetailProps {
  edge: ViewEdge;
  source: ViewNode | undefined;
  target: ViewNode | undefined;
  hrefOf: (n: ViewNode) => string | undefined;
  onClose: () => void;
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
export function EdgeDetail({ edge, source, target, hrefOf, onClose }: EdgeDetailProps) {
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
      />
      <dl className="kv">
        <dt>Requests</dt>
        <dd>
          {Math.round(edge.requests.success)} ok / {Math.round(edge.requests.failure)} failed
        </dd>
        <dt>mTLS</dt>
        <dd>{edge.mtls === 'mtls' ? 'mTLS' : edge.mtls}</dd>
      </dl>
    </div>
  );
}
