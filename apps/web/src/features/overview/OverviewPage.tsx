import type { TopologyResponse } from '@meshlens/contract';
import { useMemo } from 'react';
import { useNavigate } from 'react-router';
import { EmptyState, ErrorState, LoadingState, NoTrafficHelp } from '../../components/StateViews';
import { useUrlState } from '../../lib/useUrlState';
import { useNamespacesQuery } from '../shell/useShellQueries';
import { buildResourceUrl } from '../resource/url';
import { compareById } from '../topology/compare';
import { foldForGraph } from '../topology/graphTypes';
import { factsOf, isBoxId, mtlsByNode } from '../topology/graphView';
import { TopologyView } from '../topology/TopologyView';
import { tracePath } from '../traces/tracePath';
import { useTraceQuery } from '../traces/useTracesQueries';
import { EdgeDetail } from './EdgeDetail';
import { GoldenSignalsTable, type SignalsRow } from './GoldenSignalsTable';
import { NodeDetail } from './NodeDetail';
import { TracePathBanner } from './TracePathBanner';
import { TracesSection } from './TracesSection';
import { CompareBar } from './CompareBar';
import { useNodeSeriesQuery } from './useNodeSeriesQuery';
import { useEdgeRoutesQuery } from './useEdgeRoutesQuery';
import { useEdgeTrend } from './useEdgeTrend';
import { GraphToolbar } from './GraphToolbar';
import { OverviewToolbar } from './OverviewToolbar';
import { useOverviewGraph } from './useOverviewGraph';
import { useTopologyQuery } from './useTopologyQuery';
import { useTrendHistory } from './useTrendHistory';
import { buildOverviewUrl, GRAPH_TYPE_NOUNS, parseOverviewUrl, type OverviewUrl } from './url';
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
  const compare = url.time.compare;
  const baselineQuery = useTopologyQuery(
    url.kind,
    url.namespace,
    { refreshMs: 0, range: { kind: 'absolute', from: compare?.from ?? 0, to: compare?.to ?? 1 } },
    compare !== undefined,
  );
  // app and versioned-app graphs fold the workload topology: everything below sees the fold
  const baseline = useMemo(
    () => (compare && baselineQuery.data ? foldForGraph(baselineQuery.data, url.kind) : undefined),
    [compare, baselineQuery.data, url.kind],
  );
  const namespaces = useNamespacesQuery(effectiveRefresh(url.time));
  const data = useMemo(
    () => (topo.data ? foldForGraph(topo.data, url.kind) : undefined),
    [topo.data, url.kind],
  );
  const noun = GRAPH_TYPE_NOUNS[url.kind];
  const scope = `${url.kind}|${url.namespace ?? '*'}|${JSON.stringify(url.time.range)}`;
  const trends = useTrendHistory(
    scope,
    data?.generatedAt,
    (data?.nodes ?? []).map((n) => ({ id: n.id, value: n.rps })),
  );
  const showNs = url.namespace === undefined;
  const { graph, find, hide, autoCollapsed, isCollapsed } = useOverviewGraph(url, data, baseline);
  const hidePredicate = hide.predicate;
  const rows: SignalsRow[] = useMemo(() => {
    const mtls = mtlsByNode(data?.edges ?? []);
    return (data?.nodes ?? []).filter(
      (n) =>
        (url.namespace === undefined || n.namespace === url.namespace) &&
        matchesFilter(n, url.filter) &&
        !(hidePredicate && hidePredicate(factsOf(n, mtls))),
    );
  }, [data, url.filter, url.namespace, hidePredicate]);
  const rowDeltas = useMemo(
    () => (data && baseline ? compareById(data.nodes, baseline.nodes) : undefined),
    [data, baseline],
  );
  // Find highlights on the graph; without it the table filter does.
  const matchIds = useMemo(
    () => graph.matchIds ?? (url.filter.trim() === '' ? undefined : new Set(rows.map((r) => r.id))),
    [graph.matchIds, rows, url.filter],
  );
  const graphNamespaces = useMemo(
    () => [...new Set((data?.nodes ?? []).map((n) => n.namespace))].sort(),
    [data],
  );
  const href = (n: { namespace: string; kind: string; name: string }) =>
    buildResourceUrl({
      namespace: n.namespace,
      kind: n.kind === 'service' ? 'service' : n.kind === 'namespace' ? 'namespace' : 'workload',
      name: n.name,
      tab: 'metrics',
      time: url.time,
    });
  const selected = graph.view.nodes.find((n) => n.id === url.selected);
  const selectedEdge = selected ? undefined : graph.view.edges.find((e) => e.id === url.selected);
  const series = useNodeSeriesQuery(selected, url.time);
  const edgeTrend = useEdgeTrend(selectedEdge, data?.generatedAt);
  const edgeTarget = selectedEdge
    ? graph.view.nodes.find((n) => n.id === selectedEdge.target)
    : undefined;
  const edgeRoutes = useEdgeRoutesQuery(
    edgeTarget?.kind === 'service' ? edgeTarget : undefined,
    url.time,
  );
  const pathTrace = useTraceQuery(url.trace ?? '', url.trace !== undefined);
  const path = useMemo(
    () => (data && pathTrace.data ? tracePath(pathTrace.data.trace.spans, data) : undefined),
    [data, pathTrace.data],
  );
  const highlight = useMemo(
    () =>
      url.trace !== undefined && path
        ? { nodeIds: new Set(path.nodeIds), edgeIds: new Set(path.edgeIds) }
        : undefined,
    [url.trace, path],
  );
  const showPath = (trace: string) => setUrl({ ...url, trace }, { replace: true });
  const close = () => setUrl({ ...url, selected: undefined }, { replace: true });

  return (
    <div className="page">
      <OverviewToolbar
        url={url}
        onChange={(next, replace) => setUrl(next, { replace })}
        namespaces={namespaces.data?.namespaces.map((n) => n.name) ?? []}
      />
      <GraphToolbar
        url={url}
        namespaces={graphNamespaces}
        isCollapsed={isCollapsed}
        findError={find.error}
        hideError={hide.error}
        onChange={(next, replace) => setUrl(next, { replace })}
      />
      <CompareBar />
      {renderBody()}
    </div>
  );

  function graphLabel(): string {
    const parts = [
      `Topology of ${graph.view.nodes.length} nodes and ${graph.view.edges.length} edges`,
    ];
    if (graph.collapsedCount > 0) parts.push(`${graph.collapsedCount} namespaces collapsed`);
    if (graph.hiddenCount > 0) parts.push(`${graph.hiddenCount} hidden`);
    if (graph.matchIds) parts.push(`${graph.matchIds.size} matching`);
    if (graph.nodeDeltas) {
      const changed = [...graph.nodeDeltas.values()].filter((d) => d.tone.overall !== 'none');
      parts.push(`${changed.length} changed against the baseline`);
    }
    return parts.join(', ');
  }

  function renderBody() {
    if (!data) {
      if (topo.isError)
        return <ErrorState error={topo.error} onRetry={() => void topo.refetch()} />;
      return <LoadingState />;
    }
    if (data.nodes.length === 0) {
      return (
        <EmptyState
          title={`No ${noun}s with traffic ${url.namespace ? `in ${url.namespace}` : ''}`}
        >
          <NoTrafficHelp />
        </EmptyState>
      );
    }
    return (
      <>
        <section className="overview-grid">
          <div className="panel graph-panel">
            {url.trace !== undefined && (
              <TracePathBanner
                traceId={url.trace}
                trace={pathTrace.data}
                error={pathTrace.error}
                path={path}
                onClear={() => setUrl({ ...url, trace: undefined }, { replace: true })}
              />
            )}
            {autoCollapsed && (
              <p className="muted pad" role="status">
                {data.nodes.length} {noun}s: every namespace starts collapsed to keep the graph
                usable. Expand one with its button above, or{' '}
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => setUrl({ ...url, collapse: { kind: 'some', namespaces: [] } })}
                >
                  expand all
                </button>
              </p>
            )}
            {compare && !baseline && (
              <p className="muted pad" role="status">
                {baselineQuery.isError
                  ? `The baseline period could not be loaded: ${baselineQuery.error.message}`
                  : 'Loading the baseline period…'}
              </p>
            )}
            <TopologyView
              nodes={graph.nodes}
              edges={graph.edges}
              layoutKey={`${url.kind}|${url.namespace ?? '*'}|${url.boxes ? 'boxes' : 'flat'}|${graph.view.nodes
                .filter((n) => n.members !== undefined)
                .map((n) => n.id)
                .join(',')}`}
              selectedId={url.selected}
              matchIds={matchIds}
              highlight={highlight}
              onSelect={(id) =>
                setUrl(
                  { ...url, selected: id !== undefined && isBoxId(id) ? undefined : id },
                  { replace: true },
                )
              }
              onSelectEdge={(id) => setUrl({ ...url, selected: id }, { replace: true })}
              onOpen={(id) => {
                if (isBoxId(id) && !id.startsWith('box:')) return; // app and cluster boxes
                const box = id.startsWith('box:') ? decodeURIComponent(id.slice(4)) : undefined;
                const v = graph.view.nodes.find((x) => x.id === id);
                const ns = box ?? (v?.members !== undefined ? v.namespace : undefined);
                if (ns !== undefined) {
                  // double-click a box to fold it, a folded namespace to open it again
                  const folded = graphNamespaces.filter((n) => isCollapsed(n));
                  const next = box ? [...folded, ns] : folded.filter((n) => n !== ns);
                  setUrl({
                    ...url,
                    collapse: { kind: 'some', namespaces: [...new Set(next)].sort() },
                  });
                  return;
                }
                const n = data.nodes.find((x) => x.id === id);
                if (n) void navigate(href(n));
              }}
              ariaLabel={graphLabel()}
            />
            <GraphLegend />
          </div>
          <aside className="panel detail-panel" aria-label="Details">
            {selected ? (
              <>
                <NodeDetail
                  node={selected}
                  topology={graph.view}
                  thresholds={url.thresholds}
                  href={href(selected)}
                  onClose={close}
                  series={series.data}
                  seriesError={series.isError ? series.error.message : undefined}
                />
                <TracesSection
                  selection={{ service: selected.name }}
                  time={url.time}
                  p95Ms={selected.latencyMs.p95}
                  activeTraceId={url.trace}
                  onShowPath={showPath}
                />
              </>
            ) : selectedEdge ? (
              <>
                <EdgeDetail
                  edge={selectedEdge}
                  source={graph.view.nodes.find((n) => n.id === selectedEdge.source)}
                  target={graph.view.nodes.find((n) => n.id === selectedEdge.target)}
                  hrefOf={href}
                  onClose={close}
                  trend={edgeTrend}
                  routes={
                    edgeTarget?.kind === 'service'
                      ? {
                          data: edgeRoutes.data,
                          error: edgeRoutes.isError ? edgeRoutes.error.message : undefined,
                        }
                      : undefined
                  }
                />
                <TracesSection
                  selection={{
                    service: graph.view.nodes.find((n) => n.id === selectedEdge.source)?.name ?? '',
                    peer: graph.view.nodes.find((n) => n.id === selectedEdge.target)?.name,
                  }}
                  time={url.time}
                  p95Ms={selectedEdge.latencyMs.p95}
                  activeTraceId={url.trace}
                  onShowPath={showPath}
                />
              </>
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
            deltas={rowDeltas}
          />
          {rows.length === 0 && (
            <p className="muted pad">
              No {noun} matches “{url.filter}”.
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
      <p className="muted">
        Select a node, an edge or a row to see its callers, callees and traces.
      </p>
    </div>
  );
}
