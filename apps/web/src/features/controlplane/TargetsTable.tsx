import type { Target } from '@meshlens/contract';
import { DataTable, type Column } from '../../components/DataTable';
import { formatAgo, formatCount, formatLatency } from '../../lib/format';
import type { SortState } from '../../lib/search';
import type { HealthFilter, TargetSortKey } from './url';

export function filterTargets(
  targets: readonly Target[],
  text: string,
  health: HealthFilter,
): Target[] {
  const f = text.trim().toLowerCase();
  return targets.filter((t) => {
    if (health !== 'all' && t.health !== health) return false;
    if (f === '') return true;
    const hay = `${t.url} ${Object.entries(t.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`.toLowerCase();
    return hay.includes(f);
  });
}

const HEALTH_ORDER: Record<Target['health'], number> = { down: 0, unknown: 1, up: 2 };

export interface TargetsTableProps {
  targets: readonly Target[];
  sort: SortState<TargetSortKey>;
  onSortChange: (s: SortState<TargetSortKey>) => void;
  now: number;
}

export function TargetsTable({ targets, sort, onSortChange, now }: TargetsTableProps) {
  const columns: Column<Target, TargetSortKey>[] = [
    {
      key: 'url',
      header: 'Endpoint',
      sortValue: (t) => t.url,
      render: (t) => <span className="mono-name">{t.url}</span>,
    },
    {
      key: 'health',
      header: 'State',
      sortValue: (t) => HEALTH_ORDER[t.health],
      render: (t) => (
        <>
          <span className={`pill ${t.health}`}>{t.health}</span>
          {t.capped ? (
            <>
              {' '}
              <span className="pill capped" title={t.capped}>
                capped
              </span>
            </>
          ) : null}
        </>
      ),
    },
    {
      key: 'labels',
      header: 'Labels',
      render: (t) =>
        Object.entries(t.labels)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
    },
    { key: 'dialect', header: 'Dialect', render: (t) => t.dialect },
    {
      key: 'lastScrape',
      header: 'Last scrape',
      numeric: true,
      sortValue: (t) => t.lastScrapeMs,
      render: (t) => formatAgo(t.lastScrapeMs, now),
    },
    {
      key: 'duration',
      header: 'Duration',
      numeric: true,
      sortValue: (t) => t.durationMs,
      render: (t) => formatLatency(t.durationMs),
    },
    {
      key: 'series',
      header: 'Series',
      numeric: true,
      sortValue: (t) => t.series,
      render: (t) => formatCount(t.series),
    },
    {
      key: 'error',
      header: 'Last error',
      // a capped target that still scrapes fine shows why part of its data is dropped
      render: (t) => {
        const text = t.lastError ?? t.capped ?? null;
        return text ? (
          <span className="err-badge" title={text}>
            {text}
          </span>
        ) : (
          ''
        );
      },
    },
  ];
  return (
    <DataTable
      caption="Scrape targets"
      testId="targets-table"
      rows={targets}
      columns={columns}
      rowKey={(t) => t.url}
      sort={sort}
      onSortChange={onSortChange}
    />
  );
}
