import type { DiagnosisResponse, FamilyCheck, SourceDiagnosis } from '@meshlens/contract';
import { EmptyState, ErrorState, LoadingState } from '../../components/StateViews';

export interface SourcesDiagnosisProps {
  data: DiagnosisResponse | undefined;
  error: unknown;
  isLoading: boolean;
  onRetry: () => void;
}

function FamiliesTable({ families }: { families: readonly FamilyCheck[] }) {
  return (
    <div className="table-wrap">
      <table className="data-table" aria-label="Mesh metric families">
        <thead>
          <tr>
            <th scope="col">Family</th>
            <th scope="col">Used for</th>
            <th scope="col">Series</th>
            <th scope="col">Labels found</th>
            <th scope="col">Labels missing</th>
          </tr>
        </thead>
        <tbody>
          {families.map((f) => (
            <tr key={f.family} data-testid={`family-${f.family}`}>
              <td className="mono">
                {f.family} <span className="muted">({f.dialect})</span>
              </td>
              <td>{f.purpose}</td>
              <td>{f.series > 0 ? f.series : <span className="muted">not found</span>}</td>
              <td className="mono" title={f.labelsFound.join(', ')}>
                {f.series > 0 ? f.labelsFound.join(', ') || '—' : '—'}
              </td>
              <td className="mono">
                {f.series > 0 && f.labelsMissing.length > 0 ? (
                  <span className="err-badge">{f.labelsMissing.join(', ')}</span>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SourceCard({ s }: { s: SourceDiagnosis }) {
  const title = `${s.role === 'metrics' ? 'Metrics' : 'Traces'}: ${s.kind}`;
  return (
    <section className="panel panel-pad" aria-label={title} data-testid={`diagnosis-${s.role}`}>
      <h3 className="h2">
        <span className={`health-dot ${s.healthy ? 'health-healthy' : 'health-failing'}`} /> {title}{' '}
        {s.url !== null && <span className="muted mono">{s.url}</span>}
        {s.dialect !== null && <span className="muted"> · {s.dialect} metrics</span>}
      </h3>
      {s.error !== null && (
        <p className="err-badge" role="alert">
          {s.error}
        </p>
      )}
      {s.hints.length > 0 && (
        <ul className="hints">
          {s.hints.map((h) => (
            <li key={h}>{h}</li>
          ))}
        </ul>
      )}
      {s.families.length > 0 && <FamiliesTable families={s.families} />}
      {s.queries.length > 0 && (
        <details>
          <summary>Queries run ({s.queries.length})</summary>
          <ul className="mono">
            {s.queries.map((q) => (
              <li key={q}>
                <code>{q}</code>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

/** Mesh health: per data source, is it reachable, and what did it find (why a view is empty). */
export function SourcesDiagnosis({ data, error, isLoading, onRetry }: SourcesDiagnosisProps) {
  if (data) {
    if (data.sources.length === 0) return <EmptyState title="No data sources configured" />;
    return (
      <div className="diagnosis" data-testid="diagnosis">
        <h2 className="h2">Data sources</h2>
        {data.sources.map((s) => (
          <SourceCard key={s.role} s={s} />
        ))}
      </div>
    );
  }
  if (error !== null && error !== undefined) return <ErrorState error={error} onRetry={onRetry} />;
  return isLoading ? <LoadingState label="Checking data sources…" /> : null;
}
