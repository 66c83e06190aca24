import { edgeId, type Edge, type ResourceRef } from '@meshlens/contract';
import { useState } from 'react';
import { Link } from 'react-router';
import { DataTable, type Column } from '../../components/DataTable';
import { HealthDot } from '../../components/HealthBadge';
import { formatLatency, formatPercent, formatRps } from '../../lib/format';
import { classifyHealth } from '../../lib/health';
import type { SortState } from '../../lib/search';

type Key = 'peer' | 'successRate' | 'rps' | 'p50' | 'p99' | 'mtls';

export interface EdgeTableProps {
  edges: readonly Edge[];
  direction: 'inbound' | 'outbound';
  peerHref: (ref: ResourceRef) => string;
}

export function EdgeTable({ edges, direction, peerHref }: EdgeTableProps) {
  const [sort, setSort] = useState<SortState<Key>>({ key: 'rps', dir: 'desc' });
  const peer = (e: Edge) => (direction === 'inbound' ? e.source : e.destination);
  const columns: Column<Edge, Key>[] = [
    {
      key: 'peer',
      header: direction === 'inbound' ? 'From' : 'To',
      sortValue: (e) => `${peer(e).namespace}/${peer(e).name}`,
      render: (e) => (
        <span className="name-cell">
          <HealthDot health={classifyHealth(e.successRate, e.rps)} />
          <Link to={peerHref(peer(e))} className="mono-name">
            {peer(e).namespace}/{peer(e).name}
          </Link>
        </span>
      ),
    },
    {
      key: 'successRate',
      header: 'Success',
      numeric: true,
      sortValue: (e) => e.successRate,
      render: (e) => formatPercent(e.successRate),
    },
    {
      key: 'rps',
      header: 'RPS',
      numeric: true,
      sortValue: (e) => e.rps,
      render: (e) => formatRps(e.rps),
    },
    {
      key: 'p50',
      header: 'P50',
      numeric: true,
      sortValue: (e) => e.latencyMs.p50,
      render: (e) => formatLatency(e.latencyMs.p50),
    },
    {
      key: 'p99',
      header: 'P99',
      numeric: true,
      sortValue: (e) => e.latencyMs.p99,
      render: (e) => formatLatency(e.latencyMs.p99),
    },
    {
      key: 'mtls',
      header: 'mTLS',
      sortValue: (e) => e.mtls,
      render: (e) => (
        <span title={e.clientId ?? e.serverId ?? undefined}>
          <span className={`pill mtls-${e.mtls}`}>{e.mtls === 'mtls' ? 'mTLS' : e.mtls}</span>
        </span>
      ),
    },
  ];
  return (
    <DataTable
      caption={`${direction} edges`}
      testId={`edges-${direction}`}
      rows={edges}
      columns={columns}
      rowKey={(e) => edgeId(e.source, e.destination)}
      sort={sort}
      onSortChange={setSort}
    />
  );
}
