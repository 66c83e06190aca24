import type { StatRow } from '@meshlens/contract';
import { Link } from 'react-router';
import { DataTable, type Column } from '../../components/DataTable';
import { HealthDot } from '../../components/HealthBadge';
import { Sparkline } from '../../components/Sparkline';
import { formatLatency, formatPercent, formatRps } from '../../lib/format';
import { classifyHealth, type HealthThresholds } from '../../lib/health';
import type { SortState } from '../../lib/search';
import {
  formatP99Delta,
  formatRpsDelta,
  formatSrDelta,
  type DeltaTone,
  type SignalDelta,
} from '../topology/compare';
import type { OverviewSortKey } from './url';

function DeltaCell({ tone, text }: { tone: DeltaTone; text: string }) {
  return <span className={tone === 'none' ? 'muted' : `delta-${tone}`}>{text}</span>;
}

function deltaColumns(
  deltas: ReadonlyMap<string, SignalDelta>,
): Column<SignalsRow, OverviewSortKey>[] {
  const d = (r: SignalsRow) => deltas.get(r.id);
  return [
    {
      key: 'drps',
      header: 'Δ RPS',
      numeric: true,
      // new traffic sorts as the largest increase, gone traffic as the largest drop
      sortValue: (r) => {
        const x = d(r);
        return x?.isNew ? Number.POSITIVE_INFINITY : x?.isGone ? -100 : (x?.rpsPct ?? null);
      },
      render: (r) => {
        const x = d(r);
        return x ? <DeltaCell tone={x.tone.rps} text={formatRpsDelta(x)} /> : '—';
      },
    },
    {
      key: 'dsr',
      header: 'Δ Success',
      numeric: true,
      sortValue: (r) => d(r)?.srPp ?? null,
      render: (r) => {
        const x = d(r);
        return x ? <DeltaCell tone={x.tone.sr} text={formatSrDelta(x)} /> : '—';
      },
    },
    {
      key: 'dp99',
      header: 'P99 ×',
      numeric: true,
      sortValue: (r) => d(r)?.p99Ratio ?? null,
      render: (r) => {
        const x = d(r);
        return x ? <DeltaCell tone={x.tone.p99} text={formatP99Delta(x)} /> : '—';
      },
    },
  ];
}

export interface SignalsRow extends StatRow {
  id: string;
}

export interface GoldenSignalsTableProps {
  rows: readonly SignalsRow[];
  sort: SortState<OverviewSortKey>;
  onSortChange: (s: SortState<OverviewSortKey>) => void;
  thresholds: HealthThresholds;
  trends: ReadonlyMap<string, readonly (number | null)[]>;
  selectedId?: string | undefined;
  onSelect: (id: string) => void;
  resourceHref: (row: SignalsRow) => string;
  showNamespace: boolean;
  /** compare: change of each row against the baseline period (adds sortable delta columns) */
  deltas?: ReadonlyMap<string, SignalDelta> | undefined;
}

export function meshedText(r: StatRow): string {
  return r.meshed.ready !== undefined
    ? `${r.meshed.ready}/${r.meshed.total}`
    : String(r.meshed.total);
}

export function GoldenSignalsTable(props: GoldenSignalsTableProps) {
  const { thresholds, trends } = props;
  const columns: Column<SignalsRow, OverviewSortKey>[] = [
    {
      key: 'name',
      header: 'Name',
      sortValue: (r) => `${r.namespace}/${r.name}`,
      render: (r) => (
        <span className="name-cell">
          <HealthDot health={classifyHealth(r.successRate, r.rps, thresholds)} />
          <Link to={props.resourceHref(r)} className="mono-name">
            {props.showNamespace ? `${r.namespace}/${r.name}` : r.name}
          </Link>
        </span>
      ),
    },
    {
      key: 'instances',
      header: 'Meshed',
      numeric: true,
      sortValue: (r) => r.meshed.total,
      render: (r) => meshedText(r),
    },
    {
      key: 'successRate',
      header: 'Success',
      numeric: true,
      sortValue: (r) => r.successRate,
      render: (r) => (
        <span className={`sr sr-${classifyHealth(r.successRate, r.rps, thresholds)}`}>
          {formatPercent(r.successRate)}
        </span>
      ),
    },
    {
      key: 'rps',
      header: 'RPS',
      numeric: true,
      sortValue: (r) => r.rps,
      render: (r) => formatRps(r.rps),
    },
    {
      key: 'p50',
      header: 'P50',
      numeric: true,
      sortValue: (r) => r.latencyMs.p50,
      render: (r) => formatLatency(r.latencyMs.p50),
    },
    {
      key: 'p95',
      header: 'P95',
      numeric: true,
      sortValue: (r) => r.latencyMs.p95,
      render: (r) => formatLatency(r.latencyMs.p95),
    },
    {
      key: 'p99',
      header: 'P99',
      numeric: true,
      sortValue: (r) => r.latencyMs.p99,
      render: (r) => formatLatency(r.latencyMs.p99),
    },
    {
      key: 'tcp',
      header: 'TCP conns',
      numeric: true,
      sortValue: (r) => r.tcp.openConnections,
      render: (r) => String(Math.round(r.tcp.openConnections)),
    },
  ];
  const trendColumn: Column<SignalsRow, OverviewSortKey> = {
    key: 'trend',
    header: 'RPS trend',
    render: (r) => <Sparkline values={trends.get(r.id) ?? []} label={`RPS trend of ${r.name}`} />,
  };
  return (
    <DataTable
      caption="Golden signals"
      testId="golden-signals"
      rows={props.rows}
      columns={[...columns, ...(props.deltas ? deltaColumns(props.deltas) : []), trendColumn]}
      rowKey={(r) => r.id}
      sort={props.sort}
      onSortChange={props.onSortChange}
      selectedKey={props.selectedId}
      onRowClick={(r) => props.onSelect(r.id)}
    />
  );
}
