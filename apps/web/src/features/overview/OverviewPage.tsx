import type { TopologyResponse } from '@meshlens/contract';
import { useMemo } from 'react';
import { useNavigate } from 'react-router';
import { EmptyState, ErrorState, LoadingState, NoTrafficHelp } from '../../components/StateViews';
import { useUrlState } from '../../lib/useUrlState';
import { useNamespacesQuery } from '../shell/useShellQueries';
import { buildResourceUrl } from '../resource/url';
import { toGraphModel } from '../topology/model';
import { TopologyView } from '../topology/TopologyView';
import { GoldenSignalsTable, type SignalsRow } from './GoldenSignalsTable';
import { NodeDetail } from './NodeDetail';
import { OverviewToolbar } from './OverviewToolbar';
import { useTopologyQuery } from './useTopologyQuery';
import { useTrendHistory } from './useTrendHistory';
import { buildOverviewUrl, parseOverviewUrl, type OverviewUrl } from './url';
import { effectiveRefresh, type TimeState } from '../../lib/timeUrl';

function parse(
  p: Readonly<Record<string, string | undefined>>,
  search: string,
  time: TimeState,
): OverviewUrl {
  return parseOverviewUrl(p.ns, search, time);
}

export function matchesFilter(row: { namespace: string; name: string }, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  return f === '' || `${row.namespace}/${row.name}`.toLowerCase().includes(f);
}

export function OverviewPage() {
  const [url, setUrl] = useUrlState(parse, buildOverviewUrl);
  const navigate = useNavigate();
  const topo = useTopologyQuery(url.kind, url.namespace, url.time);
  const namespaces = useNamespacesQuery(effectiveRefresh(url.time));
  const data = topo.data;
  const scope = `${url.kind}|${url.namespace ?? '*'}|${JSON.stringify(url.time.range)}`;
  const trends = useTrendHistory(
    scope,
    data?.generatedAt,
    (data?.nodes ?? []).map((n) => ({ id: n.id, value: n.rps })),
  );
  const showNs = url.namespace === undefined;
  const graph = useMemo(
    () => (data ? toGraphModel(data, url.thresholds, url.namespace) : { nodes: [], edges: [] }),
    [data, url.thresholds, url.namespace],
  );
  const rows: SignalsRow[] = useMemo(
    () =>
      (data?.nodes ?? []).filter(
        (n) =>
          (url.namespace === undefined || n.namespace === url.namespace) &&
          matchesFilter(n, url.filter),
      ),
    [data, url.filter, url.namespace],
  );
  const matchIds = useMemo(
    () => (url.filter.trim() === '' ? undefined : new Set(rows.map((r) => r.id))),
    [rows, url.filter],
  );
  const href = (n: { namespace: string; kind: string; name: string }) =>
    buildResourceUrl({
      namespace: n.namespace,
      kind: n.kind === 'service' ? 'service' : 'workload',
      name: n.name,
      tab: 'metrics',
      time: url.time,
    });
  const selected = data?.nodes.find((n) => n.id === url.selected);

  return (
    <div className="page">
      <OverviewToolbar
        url={url}
        onChange={(next, replace) => setUrl(next, { replace })}
        namespaces={namespaces.data?.namespaces.map((n) => n.name) ?? []}
      />
      {renderBody()}
    </div>
  );

  function renderBody() {
    if (!data) {
      if (topo.isError)
        return <ErrorState error={topo.error} onRetry={() => void topo.refetch()} />;
      return <LoadingState />;
    }
    if (data.nodes.length === 0) {
      return (
        <EmptyState
          title={`No ${url.kind}s with traffic ${url.namespace ? `in ${url.namespace}` : ''}`}
        >
          <NoTrafficHelp />
        </EmptyState>
      );
    }
    return (
      <>
        <section className="overview-grid">
          <div className="panel graph-panel">
            <TopologyView
              nodes={graph.nodes}
              edges={graph.edges}
              layoutKey={`${url.kind}|${url.namespace ?? '*'}`}
              selectedId={url.selected}
              matchIds={matchIds}
              onSelect={(id) => setUrl({ ...url, selected: id }, { replace: true })}
              onOpen={(id) => {
                const n = data.nodes.find((x) => x.id === id);
                if (n) void navigate(href(n));
              }}
              ariaLabel={`Topology of ${data.nodes.length} ${url.kind}s and ${data.edges.length} edges`}
            />
            <GraphLegend />
          </div>
          <aside className="panel detail-panel" aria-label="Details">
            {selected ? (
              <NodeDetail
                node={selected}
                topology={data}
                thresholds={url.thresholds}
                href={href(selected)}
                onClose={() => setUrl({ ...url, selected: undefined }, { replace: true })}
              />
            ) : (
              <MeshSummary topology={data} />
            )}
          </aside>
        </section>
        <section className="panel">
          <GoldenSignalsTable
            rows={rows}
            sort={url.sort}
            onSortChange={(sort) => setUrl({ ...url, sort }, { replace: true })}
            thresholds={url.thresholds}
            trends={trends}
            selectedId={url.selected}
            onSelect={(id) => setUrl({ ...url, selected: id }, { replace: true })}
            resourceHref={href}
            showNamespace={showNs}
          />
          {rows.length === 0 && (
            <p className="muted pad">
              No {url.kind} matches “{url.filter}”.
            </p>
          )}
        </section>
      </>
    );
  }
}

function GraphLegend() {
  return (
    <div className="legend" aria-label="Legend">
      <span>
        <i className="health-dot health-healthy" /> healthy
      </span>
      <span>
        <i className="health-dot health-warning" /> degraded
      </span>
      <span>
        <i className="health-dot health-failing" /> failing
      </span>
      <span>
        <i className="health-dot health-idle" /> no traffic
      </span>
      <span>— mTLS</span>
      <span>- - plaintext</span>
      <span className="muted">hover an edge for p99 · double-click a node to open it</span>
    </div>
  );
}

function MeshSummary({ topology }: { topology: Pick<TopologyResponse, 'nodes' | 'edges'> }) {
  const rps = topology.nodes.reduce((a, n) => a + n.rps, 0);
  const ok = topology.nodes.reduce((a, n) => a + n.requests.success, 0);
  const fail = topology.nodes.reduce((a, n) => a + n.requests.failure, 0);
  const mtls = topology.edges.filter((e) => e.mtls === 'mtls').length;
  return (
    <div className="summary" data-testid="mesh-summary">
      <h2 className="h2">Summary</h2>
      <dl className="kv">
        <dt>Resources</dt>
        <dd>{topology.nodes.length}</dd>
        <dt>Edges</dt>
        <dd>{topology.edges.length}</dd>
        <dt>Total RPS</dt>
        <dd>{rps.toFixed(2)}</dd>
        <dt>Success</dt>
        <dd>{ok + fail > 0 ? `${((ok / (ok + fail)) * 100).toFixed(2)}%` : '—'}</dd>
        <dt>mTLS edges</dt>
        <dd>
          {mtls} of {topology.edges.length}
        </dd>
      </dl>
      <p className="muted">Select a node or a row to see its callers and callees.</p>
    </div>
  );
}
