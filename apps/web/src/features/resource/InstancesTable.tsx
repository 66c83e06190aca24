import type { StatRow, Target } from '@meshlens/contract';
import { useState } from 'react';
import { DataTable, type Column } from '../../components/DataTable';
import { formatLatency, formatPercent, formatRps } from '../../lib/format';
import type { SortState } from '../../lib/search';

type Key = 'name' | 'successRate' | 'rps' | 'p99' | 'scrape';

export interface InstanceRow {
  pod: StatRow;
  target: Target | undefined;
}

/** Pods belong to a workload by the Kubernetes naming convention or by their target labels. */
export function instancesOf(
  workload: string,
  namespace: string,
  pods: readonly StatRow[],
  targets: readonly Target[],
): InstanceRow[] {
  const byPod = new Map<string, Target>();
  for (const t of targets) {
    const pod = t.labels.pod;
    if (pod !== undefined && (t.labels.namespace ?? namespace) === namespace) byPod.set(pod, t);
  }
  return pods
    .filter((p) => p.namespace === namespace)
    .filter((p) => {
      const t = byPod.get(p.name);
      const owner = t?.labels.deployment ?? t?.labels.workload;
      return owner !== undefined
        ? owner === workload
        : p.name === workload || p.name.startsWith(`${workload}-`);
    })
    .map((pod) => ({ pod, target: byPod.get(pod.name) }));
}

export function InstancesTable({ rows }: { rows: readonly InstanceRow[] }) {
  const [sort, setSort] = useState<SortState<Key>>({ key: 'name', dir: 'asc' });
  const columns: Column<InstanceRow, Key>[] = [
    {
      key: 'name',
      header: 'Pod',
      sortValue: (r) => r.pod.name,
      render: (r) => <span className="mono-name">{r.pod.name}</span>,
    },
    {
      key: 'successRate',
      header: 'Success',
      numeric: true,
      sortValue: (r) => r.pod.successRate,
      render: (r) => formatPercent(r.pod.successRate),
    },
    {
      key: 'rps',
      header: 'RPS',
      numeric: true,
      sortValue: (r) => r.pod.rps,
      render: (r) => formatRps(r.pod.rps),
    },
    {
      key: 'p99',
      header: 'P99',
      numeric: true,
      sortValue: (r) => r.pod.latencyMs.p99,
      render: (r) => formatLatency(r.pod.latencyMs.p99),
    },
    {
      key: 'scrape',
      header: 'Scrape target',
      sortValue: (r) => r.target?.health ?? null,
      render: (r) =>
        r.target ? (
          <span>
            <span className={`pill ${r.target.health}`}>{r.target.health}</span>
            <span className="mono-name">{r.target.url}</span>
          </span>
        ) : (
          <span className="muted">—</span>
        ),
    },
  ];
  return (
    <DataTable
      caption="Instances"
      testId="instances"
      rows={rows}
      columns={columns}
      rowKey={(r) => r.pod.name}
      sort={sort}
      onSortChange={setSort}
    />
  );
}
