import type { ConfigObject } from '@meshlens/contract';
import { useState } from 'react';
import { DataTable, type Column } from '../../components/DataTable';

type SortKey = 'object' | 'state';

function stateOf(o: ConfigObject): { label: string; cls: string; rank: number } {
  if (!o.accepted) return { label: 'Rejected', cls: 'health-failing', rank: 0 };
  if (o.resolvedRefs === false) return { label: 'Unresolved refs', cls: 'health-warning', rank: 1 };
  return { label: 'Accepted', cls: 'health-healthy', rank: 2 };
}

export interface ConfigObjectsTableProps {
  objects: readonly ConfigObject[];
}

/**
 * Every HTTPRoute and policy the control plane read, with its verdict and, for a rejected
 * object, the reasons naming the fields (what `kubectl get -o yaml` shows in its status).
 * Names and reasons come from users' objects: rendered as text only.
 */
export function ConfigObjectsTable({ objects }: ConfigObjectsTableProps) {
  const [sort, setSort] = useState<{ key: SortKey; dir: 'asc' | 'desc' }>({
    key: 'state',
    dir: 'asc',
  });
  const columns: Column<ConfigObject, SortKey>[] = [
    {
      key: 'state',
      header: 'State',
      sortValue: (o) => `${stateOf(o).rank}${o.kind}${o.namespace}/${o.name}`,
      render: (o) => {
        const s = stateOf(o);
        return (
          <span>
            <span className={`health-dot ${s.cls}`} /> {s.label}
          </span>
        );
      },
    },
    {
      key: 'object',
      header: 'Object',
      sortValue: (o) => `${o.kind} ${o.namespace}/${o.name}`,
      render: (o) => (
        <span className="mono-name">
          {o.kind} {o.namespace}/{o.name}
        </span>
      ),
    },
    { key: 'source', header: 'Source', render: (o) => o.source },
    {
      key: 'reasons',
      header: 'Reasons',
      render: (o) =>
        o.reasons.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <ul className="plain-list" data-testid="config-reasons">
            {o.reasons.map((r) => (
              <li key={r} className="mono">
                {r}
              </li>
            ))}
          </ul>
        ),
    },
  ];
  return (
    <DataTable
      caption="Configuration objects"
      testId="config-objects-table"
      rows={objects}
      columns={columns}
      rowKey={(o) => `${o.kind}/${o.namespace}/${o.name}`}
      sort={sort}
      onSortChange={setSort}
    />
  );
}
