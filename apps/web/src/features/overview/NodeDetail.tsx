import type { TimeseriesResponse, TopologyResponse } from '@meshlens/contract';
import { Link } from 'react-router';
import { HealthDot } from '../../components/HealthBadge';
import { formatPercent, formatRps } from '../../lib/format';
import { classifyHealth, type HealthThresholds } from '../../lib/health';
import { meshedText } from './GoldenSignalsTable';
import { NodeSignals } from './NodeSignals';

type Node = TopologyResponse['nodes'][number] & {
  latencyOf?: 'max';
  members?: number;
  /** an app node: the versions folded into it */
  versions?: string[];
};

export interface NodeDetailProps {
  node: Node;
  topology: Pick<TopologyResponse, 'nodes' | 'edges'>;
  thresholds: HealthThresholds;
  href: string;
  onClose: () => void;
  /** the node's trend over the page's period */
  series?: TimeseriesResponse | undefined;
  seriesError?: string | undefined;
}

/** How many callers and callees the panel lists (the busiest first). */
const TOP = 5;

export function NodeDetail({
  node,
  topology,
  thresholds,
  href,
  onClose,
  series,
  seriesError,
}: NodeDetailProps) {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const byRps = (a: { rps: number }, b: { rps: number }) => b.rps - a.rps;
  const inbound = topology.edges.filter((e) => e.target === node.id).sort(byRps);
  const outbound = topology.edges.filter((e) => e.source === node.id).sort(byRps);
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
        {node.cluster !== undefined && (
          <>
            {' '}
            · cluster <span className="mono-name">{node.cluster}</span>
          </>
        )}
      </p>
      {node.versions !== undefined && node.versions.length > 0 && (
        <p data-testid="app-versions">
          App of {node.versions.length} {node.versions.length === 1 ? 'version' : 'versions'}:{' '}
          <span className="mono-name">{node.versions.join(', ')}</span>
        </p>
      )}
      <NodeSignals
        rps={node.rps}
        successRate={node.successRate}
        latencyMs={node.latencyMs}
        latencyIsMax={node.latencyOf === 'max'}
        series={series}
        seriesError={seriesError}
      />
      <h3 className="h3">
        Top callers ({Math.min(TOP, inbound.length)} of {inbound.length})
      </h3>
      <ul className="plain">
        {inbound.slice(0, TOP).map((e) => (
          <li key={e.id}>
            <span className="mono-name">{name(e.source)}</span>{' '}
            <span className="muted">
              {formatRps(e.rps)} rps · {formatPercent(e.successRate)} · {e.mtls}
            </span>
          </li>
        ))}
      </ul>
      <h3 className="h3">
        Top callees ({Math.min(TOP, outbound.length)} of {outbound.length})
      </h3>
      <ul className="plain">
        {outbound.slice(0, TOP).map((e) => (
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
