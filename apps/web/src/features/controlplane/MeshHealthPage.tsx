import type { ControlPlaneResponse, ProcessesResponse, ProxyInfo } from '@meshlens/contract';
import { useState } from 'react';
import { DataTable, type Column } from '../../components/DataTable';
import { EmptyState, ErrorState, LoadingState } from '../../components/StateViews';
import { formatAgo, formatTimestamp } from '../../lib/format';
import { useUrlState } from '../../lib/useUrlState';
import { useStatusQuery } from '../shell/useShellQueries';
import { effectiveRefresh, type TimeState } from '../../lib/timeUrl';
import { ConfigObjectsTable } from './ConfigObjectsTable';
import { ProcessesTable } from './ProcessesTable';
import { filterTargets, TargetsTable } from './TargetsTable';
import { SourcesDiagnosis } from './SourcesDiagnosis';
import {
  useControlPlaneQuery,
  useDiagnosisQuery,
  useMeshTargetsQuery,
  useProcessesQuery,
} from './useMeshHealthQueries';
import {
  buildMeshHealthUrl,
  HEALTH_FILTERS,
  MESH_TABS,
  parseMeshHealthUrl,
  type HealthFilter,
  type MeshHealthUrl,
} from './url';

function parse(_p: unknown, search: string, time: TimeState): MeshHealthUrl {
  return parseMeshHealthUrl(search, time);
}

function daysUntil(iso: string | null, now: number): string {
  if (iso === null) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const days = (ms - now) / 86_400_000;
  const rel =
    days < 0 ? 'expired' : days < 2 ? `in ${Math.round(days * 24)}h` : `in ${Math.round(days)}d`;
  return `${formatTimestamp(ms)} (${rel})`;
}

function ControlPlaneCard({ cp, now }: { cp: ControlPlaneResponse; now: number }) {
  if (!cp.configured) {
    return (
      <EmptyState title="No control plane configured">
        <span>
          Start the dashboard with --control-plane-url to see discovery, config and certificates.
        </span>
      </EmptyState>
    );
  }
  const s = cp.status;
  return (
    <section className="panel panel-pad" data-testid="controlplane-status">
      <h2 className="h2">
        <span className={`health-dot ${cp.reachable ? 'health-healthy' : 'health-failing'}`} />{' '}
        Control plane <span className="muted mono">{cp.url}</span>
      </h2>
      {cp.error !== null && <p className="err-badge">{cp.error}</p>}
      {s && (
        <dl className="kv">
          <dt>Version</dt>
          <dd>{s.version}</dd>
          <dt>Config version</dt>
          <dd>{s.configVersion}</dd>
          <dt>Last config error</dt>
          <dd>{s.lastConfigError ?? 'none'}</dd>
          <dt>Endpoints / watchers</dt>
          <dd>
            {s.endpoints} / {s.watchers}
          </dd>
          <dt>Certificates issued</dt>
          <dd>{s.certsIssued}</dd>
          <dt>Earliest cert expiry</dt>
          <dd>{daysUntil(s.earliestCertExpiry, now)}</dd>
          <dt>CA expiry</dt>
          <dd>{daysUntil(s.caExpiry, now)}</dd>
        </dl>
      )}
    </section>
  );
}

type ProxyKey = 'pod' | 'workload' | 'version' | 'registered';

function ProxiesTable({ proxies, now }: { proxies: readonly ProxyInfo[]; now: number }) {
  const [sort, setSort] = useState<{ key: ProxyKey; dir: 'asc' | 'desc' }>({
    key: 'pod',
    dir: 'asc',
  });
  const columns: Column<ProxyInfo, ProxyKey>[] = [
    {
      key: 'pod',
      header: 'Pod',
      sortValue: (p) => `${p.namespace}/${p.pod}`,
      render: (p) => (
        <span className="mono-name">
          {p.namespace}/{p.pod}
        </span>
      ),
    },
    {
      key: 'workload',
      header: 'Workload',
      sortValue: (p) => p.workload,
      render: (p) => p.workload,
    },
    { key: 'service', header: 'Service', render: (p) => p.service },
    {
      key: 'version',
      header: 'Proxy version',
      sortValue: (p) => p.proxyVersion,
      render: (p) => p.proxyVersion,
    },
    {
      key: 'addr',
      header: 'Address',
      render: (p) => (
        <span className="mono">
          {p.address}:{p.port}
        </span>
      ),
    },
    {
      key: 'admin',
      header: 'Admin',
      render: (p) => (
        <span className="mono">
          {p.adminAddress}:{p.adminPort}
        </span>
      ),
    },
    {
      key: 'registered',
      header: 'Registered',
      sortValue: (p) => Date.parse(p.registeredAt),
      render: (p) => formatAgo(Date.parse(p.registeredAt), now),
    },
  ];
  return (
    <DataTable
      caption="Proxies"
      testId="proxies-table"
      rows={proxies}
      columns={columns}
      rowKey={(p) => `${p.namespace}/${p.pod}`}
      sort={sort}
      onSortChange={setSort}
    />
  );
}

function ProcessesSection(props: {
  loading: boolean;
  error: Error | null;
  onRetry: () => void;
  data: ProcessesResponse | undefined;
  now: number;
}) {
  const { data } = props;
  if (props.error) return <ErrorState error={props.error} onRetry={props.onRetry} />;
  if (props.loading || !data) return <LoadingState />;
  if (!data.supervised) {
    return (
      <EmptyState title="No supervised processes">
        <span>Restarts are listed when the dashboard runs under npm start.</span>
      </EmptyState>
    );
  }
  return (
    <section className="panel">
      {data.error !== null && <p className="err-badge">{data.error}</p>}
      <ProcessesTable processes={data.processes} now={props.now} />
    </section>
  );
}

export function MeshHealthPage() {
  const [url, setUrl] = useUrlState(parse, buildMeshHealthUrl);
  const cp = useControlPlaneQuery(url.time);
  const targets = useMeshTargetsQuery(url.time);
  const procs = useProcessesQuery(url.time);
  const supervised = procs.data?.supervised === true;
  const restarts = (procs.data?.processes ?? []).reduce((n, p) => n + p.restarts, 0);
  const status = useStatusQuery(effectiveRefresh(url.time));
  const diagnosis = useDiagnosisQuery(url.time);
  const now = Date.now();
  const src = status.data?.source;
  const all = targets.data?.targets ?? [];
  const visible = filterTargets(all, url.filter, url.health);
  const down = all.filter((t) => t.health === 'down').length;
  const versions = new Set((cp.data?.proxies ?? []).map((p) => p.proxyVersion));
  const configObjects = cp.data?.status?.configObjects;
  const rejected = configObjects?.filter((o) => !o.accepted).length ?? 0;

  return (
    <div className="page">
      <div className="toolbar">
        <h1 className="h1">Mesh health</h1>
      </div>
      <section className="cards">
        <div className="panel stat-card">
          <div className="label">Telemetry source</div>
          <div className="value" data-testid="source-kind">
            {src ? `${src.kind} ${src.healthy ? '✓' : '✗'}` : '—'}
          </div>
          <div className="muted">
            {src?.lastTickMs ? `last tick ${formatAgo(src.lastTickMs, now)}` : ''}
          </div>
        </div>
        <div className="panel stat-card">
          <div className="label">Scrape targets up</div>
          <div className="value" data-testid="targets-up">
            {targets.data ? `${all.length - down}/${all.length}` : '—'}
          </div>
        </div>
        <div className="panel stat-card">
          <div className="label">Proxies</div>
          <div className="value">{cp.data ? cp.data.proxies.length : '—'}</div>
          <div className="muted">
            {versions.size > 0 ? `versions: ${[...versions].join(', ')}` : ''}
          </div>
        </div>
        {supervised && (
          <div className="panel stat-card">
            <div className="label">Process restarts</div>
            <div className="value" data-testid="process-restarts">
              {restarts}
            </div>
            <div className="muted">{procs.data?.processes.length ?? 0} supervised processes</div>
          </div>
        )}
        <div className="panel stat-card">
          <div className="label">Stored traces</div>
          <div className="value">{status.data ? status.data.traces.traces : '—'}</div>
        </div>
      </section>
      {cp.data ? (
        <ControlPlaneCard cp={cp.data} now={now} />
      ) : cp.isError ? (
        <ErrorState error={cp.error} />
      ) : null}
      <SourcesDiagnosis
        data={diagnosis.data}
        error={diagnosis.error}
        isLoading={diagnosis.isLoading}
        onRetry={() => void diagnosis.refetch()}
      />
      <div className="tabs" role="tablist" aria-label="Mesh health sections">
        {MESH_TABS.filter((t) => t !== 'processes' || supervised || url.tab === t).map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            aria-selected={url.tab === t}
            onClick={() => setUrl({ ...url, tab: t }, { replace: true })}
          >
            {t === 'targets'
              ? `Scrape targets (${all.length})`
              : t === 'proxies'
                ? `Proxies (${cp.data?.proxies.length ?? 0})`
                : t === 'processes'
                  ? `Processes (${restarts} restarts)`
                  : `Configuration (${configObjects?.length ?? '—'})`}
          </button>
        ))}
      </div>
      {url.tab === 'targets' ? (
        <>
          <div className="filters panel">
            <label className="field grow">
              <span>Filter</span>
              <input
                type="search"
                aria-label="Filter targets"
                value={url.filter}
                placeholder="url or label"
                onChange={(e) => setUrl({ ...url, filter: e.target.value }, { replace: true })}
              />
            </label>
            <div className="segmented" role="group" aria-label="Target state">
              {HEALTH_FILTERS.map((h: HealthFilter) => (
                <button
                  key={h}
                  type="button"
                  aria-pressed={url.health === h}
                  onClick={() => setUrl({ ...url, health: h }, { replace: true })}
                >
                  {h}
                </button>
              ))}
            </div>
          </div>
          {targets.data ? (
            <section className="panel">
              <TargetsTable
                targets={visible}
                sort={url.sort}
                onSortChange={(sort) => setUrl({ ...url, sort }, { replace: true })}
                now={now}
              />
              {visible.length === 0 && <p className="muted pad">No scrape targets match.</p>}
            </section>
          ) : targets.isError ? (
            <ErrorState error={targets.error} onRetry={() => void targets.refetch()} />
          ) : (
            <LoadingState />
          )}
        </>
      ) : url.tab === 'processes' ? (
        <ProcessesSection
          loading={procs.isPending}
          error={procs.isError ? procs.error : null}
          onRetry={() => void procs.refetch()}
          data={procs.data}
          now={now}
        />
      ) : url.tab === 'config' ? (
        <section className="panel">
          {configObjects === undefined ? (
            <p className="muted pad">
              The control plane reads its configuration from a directory, validated as a whole: a
              rejected change shows as the last config error above. Per-object status comes with
              Kubernetes mode (--kubernetes).
            </p>
          ) : (
            <>
              <p className="pad" data-testid="config-summary">
                {configObjects.length} object(s), {rejected} rejected
              </p>
              <ConfigObjectsTable objects={configObjects} />
            </>
          )}
        </section>
      ) : (
        <section className="panel">
          <ProxiesTable proxies={cp.data?.proxies ?? []} now={now} />
          {(cp.data?.proxies.length ?? 0) === 0 && (
            <p className="muted pad">No proxies registered.</p>
          )}
        </section>
      )}
    </div>
  );
}
