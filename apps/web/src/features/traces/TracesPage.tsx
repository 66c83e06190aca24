import { lazy, Suspense, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { EmptyState, ErrorState, LoadingState } from '../../components/StateViews';
import type { TimeState } from '../../lib/timeUrl';
import { useUrlState } from '../../lib/useUrlState';
import { TraceTable } from './TraceTable';
import { useTracesQuery } from './useTracesQueries';
import { buildTracesUrl, parseTracesUrl, type TracesUrl } from './url';

const DurationScatter = lazy(() =>
  import('./DurationScatter').then((m) => ({ default: m.DurationScatter })),
);

function parse(_p: unknown, search: string, time: TimeState): TracesUrl {
  return parseTracesUrl(search, time);
}

export function TracesPage() {
  const [url, setUrl] = useUrlState(parse, buildTracesUrl);
  const q = useTracesQuery(url);
  const navigate = useNavigate();
  // Text inputs edit a draft; the URL (and the query) change on submit, not per keystroke.
  const [service, setService] = useState(url.service);
  const [minDur, setMinDur] = useState(
    url.minDurationMs === undefined ? '' : String(url.minDurationMs),
  );
  useEffect(() => {
    setService(url.service);
    setMinDur(url.minDurationMs === undefined ? '' : String(url.minDurationMs));
  }, [url.service, url.minDurationMs]);

  function handleSubmit(e: React.FormEvent) {
    e.preventDefault();
    const n = Number(minDur);
    setUrl({
      ...url,
      service: service.trim(),
      minDurationMs: minDur.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : undefined,
    });
  }

  return (
    <div className="page">
      <div className="toolbar">
        <h1 className="h1">Traces</h1>
      </div>
      <form className="panel filters" onSubmit={handleSubmit} aria-label="Trace search">
        <label className="field">
          <span>Service</span>
          <input
            type="search"
            aria-label="Service"
            value={service}
            placeholder="any"
            onChange={(e) => setService(e.target.value)}
          />
        </label>
        <label className="field narrow">
          <span>Min duration (ms)</span>
          <input
            type="number"
            aria-label="Minimum duration in milliseconds"
            min={0}
            value={minDur}
            onChange={(e) => setMinDur(e.target.value)}
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={url.errorOnly}
            onChange={(e) => setUrl({ ...url, errorOnly: e.target.checked })}
          />
          Errors only
        </label>
        <label className="field">
          <span>Limit</span>
          <select
            aria-label="Result limit"
            value={String(url.limit)}
            onChange={(e) => setUrl({ ...url, limit: Number(e.target.value) })}
          >
            {[20, 50, 100, 500].map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn btn-primary">
          Search
        </button>
      </form>
      {q.data ? (
        q.data.traces.length === 0 ? (
          <EmptyState title="No traces match">
            <p>
              Proxies and OpenTelemetry SDKs export spans to this dashboard at{' '}
              <code>/v1/traces</code> (OTLP/HTTP, JSON or protobuf) or over OTLP/gRPC. Widen the
              time window or remove filters, or send traffic through the mesh.
            </p>
          </EmptyState>
        ) : (
          <>
            <section className="panel" aria-label="Duration over time">
              <Suspense fallback={<LoadingState label="Loading chart…" />}>
                <DurationScatter
                  traces={q.data.traces}
                  onOpen={(id) => void navigate(`/traces/${encodeURIComponent(id)}`)}
                />
              </Suspense>
            </section>
            <section className="panel">
              <TraceTable traces={q.data.traces} caption="Traces" testId="traces-table" />
            </section>
          </>
        )
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <LoadingState />
      )}
    </div>
  );
}
