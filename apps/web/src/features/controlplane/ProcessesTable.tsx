import type { SupervisedProcess } from '@meshlens/contract';
import { useState } from 'react';
import { DataTable, type Column } from '../../components/DataTable';
import { formatAgo } from '../../lib/format';

type ProcessKey = 'name' | 'restarts' | 'state';

export interface ProcessesTableProps {
  processes: readonly SupervisedProcess[];
  now: number;
}

function exitText(p: SupervisedProcess, now: number): string {
  const e = p.lastExit;
  if (e === null) return '';
  return `${e.signal ?? `code ${e.code ?? '?'}`} ${formatAgo(e.atMs, now)}`;
}

/** The processes `npm start` supervises: state, restarts and the last crash. */
export function ProcessesTable({ processes, now }: ProcessesTableProps) {
  const [sort, setSort] = useState<{ key: ProcessKey; dir: 'asc' | 'desc' }>({
    key: 'restarts',
    dir: 'desc',
  });
  const columns: Column<SupervisedProcess, ProcessKey>[] = [
    {
      key: 'name',
      header: 'Process',
      sortValue: (p) => p.name,
      render: (p) => <span className="mono-name">{p.name}</span>,
    },
    {
      key: 'state',
      header: 'State',
      sortValue: (p) => p.state,
      render: (p) => (
        <span className={`pill ${p.state === 'running' ? 'up' : 'down'}`}>{p.state}</span>
      ),
    },
    {
      key: 'restarts',
      header: 'Restarts',
      numeric: true,
      sortValue: (p) => p.restarts,
      render: (p) => String(p.restarts),
    },
    {
      key: 'lastExit',
      header: 'Last exit',
      render: (p) => exitText(p, now),
    },
    {
      key: 'up',
      header: 'Up since',
      render: (p) => (p.startedAtMs === null ? '—' : formatAgo(p.startedAtMs, now)),
    },
  ];
  return (
    <DataTable
      caption="Supervised processes"
      testId="processes-table"
      rows={processes}
      columns={columns}
      rowKey={(p) => p.name}
      sort={sort}
      onSortChange={setSort}
    />
  );
}
