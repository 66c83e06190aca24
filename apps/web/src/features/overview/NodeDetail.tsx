import type { TopologyResponse } from '@meshlens/contract';
import { Link } from 'react-router';
import { HealthDot } from '../../components/HealthBadge';
import { formatLatency, formatPercent, formatRps } from '../../lib/format';
import { classifyHealth, type HealthThresholds } from '../../lib/health';
import { meshedText } from './GoldenSignalsTable';

type Node = TopologyResponse['nodes'][number];

export interface NodeDetailProps {
  node: Node;
  topology: Pick<TopologyResponse, 'nodes' | 'edges'>;
  thresholds: HealthThresholds;
  href: string;
  onClose: () => void;
}

export function NodeDetail({ node, topology, thresholds, href, onClose }: NodeDetailProps) {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const inbound = topology.edges.filter((e) => e.target === node.id);
  const outbound = topology.edges.filter((e) => e.source === node.id);
  const name = (id: string) => byId.get(id)?.name ?? id;
  return (
    <div className="node-detail" data-testid="node-detail">
      <div className="row between">
        <h2 className="h2">
          <HealthDot health={classifyHealth(node.successRate, node.rps, thresholds)} />{' '}
          <span className="mono-name">{node.name}</span>
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
      <p className="muted">
        {node.kind} in <span className="mono-name">{node.namespace}</span> · {meshedText(node)}{' '}
        meshed
      </p>
      <dl className="kv">
        <dt>Success</dt>
        <dd>{formatPercent(node.successRate)}</dd>
        <dt>RPS</dt>
        <dd>{formatRps(node.rps)}</dd>
        <dt>P50 / P95 / P99</dt>
        <dd>
          {formatLatency(node.latencyMs.p50)} / {formatLatency(node.latencyMs.p95)} /{' '}
          {formatLatency(node.latencyMs.p99)}
        </dd>
      </dl>
      <h3 className="h3">Callers ({inbound.length})</h3>
      <ul className="plain">
        {inbound.map((e) => (
          <li key={e.id}>
            <span className="mono-name">{name(e.source)}</span>{' '}
            <span className="muted">
              {formatRps(e.rps)} rps · {formatPercent(e.successRate)} · {e.mtls}
            </span>
          </li>
        ))}
      </ul>
      <h3 className="h3">Calls ({outbound.length})</h3>
      <ul className="plain">
        {outbound.map((e) => (
          <li key={e.id}>
            <span className="mono-name">{name(e.target)}</span>{' '}
            <span className="muted">
              {formatRps(e.rps)} rps · {formatPercent(e.successRate)} · {e.mtls}
            </span>
          </li>
        ))}
      </ul>
      <Link className="btn btn-primary" to={href}>
        Open {node.kind} page
      </Link>
    </div>
  );
}
