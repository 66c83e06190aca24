import type { RouteRow } from '@meshlens/contract';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/ApiContext';
import { liveOptions } from '../../api/queryClient';
import { DataTable, type Column } from '../../components/DataTable';
import { EmptyState, ErrorState, LoadingState } from '../../components/StateViews';
import { formatLatency, formatPercent, formatRps } from '../../lib/format';
import { effectiveRefresh, rangeToQuery } from '../../lib/timeUrl';
import type { ResourceUrl } from './url';

function useRoutesQuery(url: ResourceUrl) {
  const api = useApi();
  const q = { namespace: url.namespace, name: url.name, ...rangeToQuery(url.time.range) };
  return useQuery({
    queryKey: ['routes', q],
    queryFn: ({ signal }) => api.routes(q, signal),
    enabled: url.kind === 'service',
    ...liveOptions(effectiveRefresh(url.time)),
  });
}

const COLUMNS: Column<RouteRow, string>[] = [
  {
    key: 'route',
    header: 'Route',
    sortValue: (r) => r.route,
    render: (r) => <span className="mono-name">{r.route}</span>,
  },
  {
    key: 'rule',
    header: 'Rule',
    sortValue: (r) => r.rule,
    render: (r) => (r.rule === '' ? '—' : r.rule),
  },
  {
    key: 'successRate',
    header: 'Success',
    numeric: true,
    sortValue: (r) => r.successRate,
    render: (r) => formatPercent(r.successRate),
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
    key: 'p99',
    header: 'P99',
    numeric: true,
    sortValue: (r) => r.latencyMs.p99,
    render: (r) => formatLatency(r.latencyMs.p99),
  },
];

/** Golden signals per HTTPRoute rule of a service (`default`: requests no route matched). */
export function RoutesTab({ url }: { url: ResourceUrl }) {
  const q = useRoutesQuery(url);
  if (url.kind !== 'service') {
    return (
      <EmptyState title="Routes belong to services">
        <p className="muted">Open the service this {url.kind} serves to see its HTTPRoutes.</p>
      </EmptyState>
    );
  }
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data) return <LoadingState />;
  if (q.data.routes.length === 0) {
    return (
      <EmptyState title="No route traffic in this period">
        <p className="muted">
          Route labels come from meshlens proxies (route_name, route_rule on outbound requests).
        </p>
      </EmptyState>
    );
  }
  return (
    <DataTable
      caption="Routes"
      testId="routes-table"
      rows={q.data.routes}
      columns={COLUMNS}
      rowKey={(r) => `${r.route}\n${r.rule}`}
    />
  );
}
