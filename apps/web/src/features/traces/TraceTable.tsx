import type { TraceSummary } from '@meshlens/contract';
import { useState } from 'react';
import { Link } from 'react-router';
import { DataTable, type Column } from '../../components/DataTable';
import { formatLatency, formatTimestamp } from '../../lib/format';
import type { SortState } from '../../lib/search';

type Key = 'start' | 'duration' | 'spans' | 'errors' | 'root';

export interface TraceTableProps {
  traces: readonly TraceSummary[];
  caption: string;
  testId?: string;
}

export function TraceTable({ traces, caption, testId }: TraceTableProps) {
  const [sort, setSort] = useState<SortState<Key>>({ key: 'start', dir: 'desc' });
  const maxDur = Math.max(1, ...traces.map((t) => t.durationMs));
  const columns: Column<TraceSummary, Key>[] = [
    {
      key: 'root',
      header: 'Root',
      sortValue: (t) => `${t.rootService} ${t.rootName}`,
      render: (t) => (
        <Link to={`/traces/${encodeURIComponent(t.traceId)}`}>
          <span className="wf-service">{t.rootService}</span>{' '}
          <span className="muted">{t.rootName}</span>
        </Link>
      ),
    },
    {
      key: 'start',
      header: 'Started',
      sortValue: (t) => t.startMs,
      render: (t) => <span className="mono">{formatTimestamp(t.startMs)}</span>,
    },
    {
      key: 'duration',
      header: 'Duration',
      numeric: true,
      sortValue: (t) => t.durationMs,
      render: (t) => formatLatency(t.durationMs),
    },
    {
      key: 'bar',
      header: '',
      render: (t) => (
        <div className="bar-cell" aria-hidden="true">
          <span style={{ width: `${(t.durationMs / maxDur) * 100}%` }} />
        </div>
      ),
    },
    {
      key: 'spans',
      header: 'Spans',
      numeric: true,
      sortValue: (t) => t.spanCount,
      render: (t) => t.spanCount,
    },
    {
      key: 'services',
      header: 'Services',
      render: (t) => t.services.join(', '),
    },
    {
      key: 'errors',
      header: 'Errors',
      numeric: true,
      sortValue: (t) => t.errorCount,
      render: (t) => (t.errorCount > 0 ? <span className="err-badge">{t.errorCount}</span> : '0'),
    },
  ];
  return (
    <DataTable
      caption={caption}
      rows={traces}
      columns={columns}
      rowKey={(t) => t.traceId}
      sort={sort}
      onSortChange={setSort}
      {...(testId !== undefined ? { testId } : {})}
    />
  );
}
