import { resourceId, type ResourceRef } from '@meshlens/contract';
import { lazy, Suspense, useMemo } from 'react';
import { Link } from 'react-router';
import { EmptyState, ErrorState, LoadingState, NoTrafficHelp } from '../../components/StateViews';
import { DEFAULT_HEALTH_THRESHOLDS } from '../../lib/health';
import type { TimeState } from '../../lib/timeUrl';
import { useUrlState } from '../../lib/useUrlState';
import { buildOverviewUrl, DEFAULT_OVERVIEW } from '../overview/url';
import { toGraphModel } from '../topology/model';
import { TopologyView } from '../topology/TopologyView';
import { TraceTable } from '../traces/TraceTable';
import { buildTracesUrl, parseTracesUrl } from '../traces/url';
import { EdgeTable } from './EdgeTable';
import { Headline } from './Headline';
import { InstancesTable, instancesOf } from './InstancesTable';
import { LatencyHistogram } from './LatencyHistogram';
import {
  useHistogramQuery,
  useNeighbourhoodQuery,
  usePodsQuery,
  useResourceEdgesQuery,
  useResourceStatQuery,
  useResourceTracesQuery,
  useTargetsQuery,
  useTimeseriesQuery,
} from './useResourceQueries';
import { RoutesTab } from './RoutesTab';
import {
  buildResourceUrl,
  parseResourceUrl,
  RESOURCE_TABS,
  type ResourceTab,
  type ResourceUrl,
} from './url';

const LiveCallsTab = lazy(() =>
  import('../tap/LiveCallsTab').then((m) => ({ default: m.LiveCallsTab })),
);
const TimeseriesCharts = lazy(() =>
  import('./TimeseriesCharts').then((m) => ({ default: m.TimeseriesCharts })),
);

const TAB_LABEL: Record<ResourceTab, string> = {
  metrics: 'Metrics',
  edges: 'Edges',
  instances: 'Instances',
  traces: 'Traces',
  routes: 'Routes',
  live: 'Live calls',
};

function parse(
  p: Readonly<Record<string, string | undefined>>,
  search: string,
  time: TimeState,
): ResourceUrl {
  return parseResourceUrl(
    { namespace: p.ns ?? '', kind: p.kind ?? '', name: p.name ?? '' },
    search,
    time,
  );
}

export function ResourcePage() {
  const [url, setUrl] = useUrlState(parse, buildResourceUrl);
  const stat = useResourceStatQuery(url);
  const row = stat.data?.rows.find((r) => r.name === url.name && r.namespace === url.namespace);
  const peerHref = (ref: ResourceRef) =>
    buildResourceUrl({
      namespace: ref.namespace,
      kind: ref.kind === 'service' ? 'service' : 'workload',
      name: ref.name,
      tab: url.tab,
      time: url.time,
    });

  return (
    <div className="page">
      <div className="breadcrumbs">
        <Link to={buildOverviewUrl({ ...DEFAULT_OVERVIEW, time: url.time })}>All namespaces</Link>
        <span>/</span>
        <Link
          to={buildOverviewUrl({ ...DEFAULT_OVERVIEW, namespace: url.namespace, time: url.time })}
          className="mono-name"
        >
          {url.namespace}
        </Link>
        <span>/</span>
        <span>{url.kind}</span>
      </div>
      <h1 className="h1 mono-name" data-testid="resource-title">
        {url.name}
      </h1>
      {stat.isError && !stat.data ? (
        <ErrorState error={stat.error} onRetry={() => void stat.refetch()} />
      ) : (
        <Headline row={row} />
      )}
      {stat.data && !row && (
        <EmptyState title={`No traffic for ${url.kind} ${url.name} in this window`}>
          <NoTrafficHelp />
        </EmptyState>
      )}
      <div className="tabs" role="tablist" aria-label="Resource sections">
        {RESOURCE_TABS.map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            id={`tab-${t}`}
            aria-selected={url.tab === t}
            aria-controls={`panel-${t}`}
            onClick={() => setUrl({ ...url, tab: t }, { replace: true })}
          >
            {TAB_LABEL[t]}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`panel-${url.tab}`}
        aria-labelledby={`tab-${url.tab}`}
        className="page"
      >
        {url.tab === 'metrics' && <MetricsTab url={url} />}
        {url.tab === 'edges' && <EdgesTab url={url} peerHref={peerHref} />}
        {url.tab === 'instances' && <InstancesTab url={url} />}
        {url.tab === 'traces' && <TracesTab url={url} p95={row?.latencyMs.p95 ?? null} />}
        {url.tab === 'routes' && <RoutesTab url={url} />}
        {url.tab === 'live' && (
          <Suspense fallback={<LoadingState label="Loading live calls…" />}>
            <LiveCallsTab resource={{ kind: url.kind, namespace: url.namespace, name: url.name }} />
          </Suspense>
        )}
      </div>
    </div>
  );
}

function MetricsTab({ url }: { url: ResourceUrl }) {
  const ts = useTimeseriesQuery(url, true);
  const hist = useHistogramQuery(url, true);
  return (
    <>
      {ts.data ? (
        <Suspense fallback={<LoadingState label="Loading charts…" />}>
          <TimeseriesCharts points={ts.data.points} />
        </Suspense>
      ) : ts.isError ? (
        <ErrorState error={ts.error} />
      ) : (
        <LoadingState label="Loading time series…" />
      )}
      {hist.data ? (
        <LatencyHistogram buckets={hist.data.buckets} />
      ) : hist.isError ? (
        <ErrorState error={hist.error} />
      ) : (
        <LoadingState label="Loading histogram…" />
      )}
    </>
  );
}

function EdgesTab({ url, peerHref }: { url: ResourceUrl; peerHref: (r: ResourceRef) => string }) {
  const edges = useResourceEdgesQuery(url, true);
  const topo = useNeighbourhoodQuery(url, url.kind !== 'namespace');
  const self = resourceId({ namespace: url.namespace, kind: url.kind, name: url.name });
  const isSelf = (r: ResourceRef) =>
    r.namespace === url.namespace && r.name === url.name && r.kind === url.kind;
  const all = edges.data?.edges ?? [];
  const inbound = all.filter((e) => isSelf(e.destination));
  const outbound = all.filter((e) => isSelf(e.source));
  const graph = useMemo(() => {
    if (!topo.data) return undefined;
    const near = new Set([self]);
    for (const e of topo.data.edges) {
      if (e.source === self) near.add(e.target);
      if (e.target === self) near.add(e.source);
    }
    const sub = {
      nodes: topo.data.nodes.filter((n) => near.has(n.id)),
      edges: topo.data.edges.filter((e) => e.source === self || e.target === self),
    };
    return toGraphModel(sub, DEFAULT_HEALTH_THRESHOLDS, url.namespace);
  }, [topo.data, self, url.namespace]);
  if (!edges.data) {
    return edges.isError ? <ErrorState error={edges.error} /> : <LoadingState />;
  }
  return (
    <>
      {graph && graph.nodes.length > 0 && (
        <div className="panel">
          <div className="panel-title">
            <h2 className="h2">Neighbourhood</h2>
          </div>
          <TopologyView
            nodes={graph.nodes}
            edges={graph.edges}
            layoutKey={`neighbours|${self}`}
            selectedId={self}
            ariaLabel={`Callers and callees of ${url.name}`}
          />
        </div>
      )}
      <div className="two-col">
        <section className="panel">
          <div className="panel-title">
            <h2 className="h2">Inbound ({inbound.length})</h2>
          </div>
          <EdgeTable edges={inbound} direction="inbound" peerHref={peerHref} />
          {inbound.length === 0 && <p className="muted pad">No callers in this window.</p>}
        </section>
        <section className="panel">
          <div className="panel-title">
            <h2 className="h2">Outbound ({outbound.length})</h2>
          </div>
          <EdgeTable edges={outbound} direction="outbound" peerHref={peerHref} />
          {outbound.length === 0 && <p className="muted pad">No calls in this window.</p>}
        </section>
      </div>
    </>
  );
}

function InstancesTab({ url }: { url: ResourceUrl }) {
  const pods = usePodsQuery(url, true);
  const targets = useTargetsQuery(url.time);
  if (!pods.data) return pods.isError ? <ErrorState error={pods.error} /> : <LoadingState />;
  const rows = instancesOf(url.name, url.namespace, pods.data.rows, targets.data?.targets ?? []);
  return (
    <section className="panel">
      <InstancesTable rows={rows} />
      {rows.length === 0 && <p className="muted pad">No instances reported data in this window.</p>}
    </section>
  );
}

function TracesTab({ url, p95 }: { url: ResourceUrl; p95: number | null }) {
  const recent = useResourceTracesQuery(url.name, url.time, undefined, true);
  const slowMin = p95 !== null ? Math.floor(p95) : undefined;
  const slow = useResourceTracesQuery(url.name, url.time, slowMin, slowMin !== undefined);
  return (
    <div className="two-col">
      <section className="panel">
        <div className="panel-title">
          <h2 className="h2">Recent traces</h2>
          <Link
            to={buildTracesUrl({
              ...parseTracesUrl('', url.time),
              service: url.name,
              time: url.time,
            })}
          >
            Search all
          </Link>
        </div>
        {recent.data ? (
          <TraceTable traces={recent.data.traces} caption="Recent traces" testId="recent-traces" />
        ) : recent.isError ? (
          <ErrorState error={recent.error} />
        ) : (
          <LoadingState />
        )}
        {recent.data?.traces.length === 0 && (
          <p className="muted pad">
            No traces for this resource in this time range. Traces are sampled: widen the window.
          </p>
        )}
      </section>
      <section className="panel">
        <div className="panel-title">
          <h2 className="h2">
            Slow traces {slowMin !== undefined ? `(≥ p95, ${slowMin} ms)` : ''}
          </h2>
        </div>
        {slow.data ? (
          <TraceTable traces={slow.data.traces} caption="Slow traces" testId="slow-traces" />
        ) : (
          <p className="muted pad">{slowMin === undefined ? 'No latency data yet.' : 'Loading…'}</p>
        )}
      </section>
    </div>
  );
}
