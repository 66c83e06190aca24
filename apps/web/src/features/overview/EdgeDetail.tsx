import type { TopologyResponse } from '@meshlens/contract';
import { formatLatency, formatPercent, formatRps } from '../../lib/format';

type Edge = TopologyResponse['edges'][number];
type Node = TopologyResponse['nodes'][number];

export interface EdgeDetailProps {
  edge: Edge;
  source: Node | undefined;
  target: Node | undefined;
  onClose: () => void;
}

const label = (n: Node | undefined, id: string) => (n ? `${n.namespace}/${n.name}` : id);

/** The side panel for a selected edge: the call's golden signals. */
export function EdgeDetail({ edge, source, target, onClose }: EdgeDetailProps) {
  return (
    <div className="node-detail" data-testid="edge-detail">
      <div className="row between">
        <h2 className="h2">
          <span className="mono-name">{label(source, edge.source)}</span> →{' '}
          <span className="mono-name">{label(target, edge.target)}</span>
        </h2>
        <button
          type="button"
          className="btn btn-small"
          aria-label="Close details"
          onClick={onClose}
        >
          ✕
        </button>
      </div>
      <dl className="kv">
        <dt>Success</dt>
        <dd>{formatPercent(edge.successRate)}</dd>
        <dt>RPS</dt>
        <dd>{formatRps(edge.rps)}</dd>
        <dt>P50 / P95 / P99</dt>
        <dd>
          {formatLatency(edge.latencyMs.p50)} / {formatLatency(edge.latencyMs.p95)} /{' '}
          {formatLatency(edge.latencyMs.p99)}
        </dd>
        <dt>mTLS</dt>
        <dd>{edge.mtls}</dd>
      </dl>
    </div>
  );
}
