import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { EmptyState } from '../../components/StateViews';
import { LiveCalls } from './LiveCalls';
import {
  buildTapPageUrl,
  parseTapFilters,
  parseTapResource,
  TAP_KINDS,
  type TapKind,
  type TapResource,
} from './url';

/** `/tap`: pick any resource, tap it; the URL holds the resource and the filters. */
export function TapPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const resource = parseTapResource(params);
  const filters = parseTapFilters(params);
  const [draft, setDraft] = useState<TapResource>(resource);
  const handleSubmit = (e: FormEvent) => {
    e.preventDefault();
    void navigate(buildTapPageUrl(draft, filters));
  };
  const ready =
    resource.name !== '' && (resource.kind === 'namespace' || resource.namespace !== '');
  return (
    <div className="page">
      <h1 className="h1">Live calls</h1>
      <form className="toolbar" onSubmit={handleSubmit} aria-label="Resource to tap">
        <label className="field">
          Kind
          <select
            aria-label="Kind"
            value={draft.kind}
            onChange={(e) => setDraft({ ...draft, kind: e.target.value as TapKind })}
          >
            {TAP_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        {draft.kind !== 'namespace' && (
          <label className="field">
            Namespace
            <input
              aria-label="Namespace"
              value={draft.namespace}
              onChange={(e) => setDraft({ ...draft, namespace: e.target.value })}
            />
          </label>
        )}
        <label className="field">
          Name
          <input
            aria-label="Name"
            value={draft.name}
            onChange={(e) => setDraft({ ...draft, name: e.target.value })}
          />
        </label>
        <button type="submit" className="btn btn-primary">
          Tap
        </button>
      </form>
      {ready ? (
        <LiveCalls
          key={`${resource.kind}/${resource.namespace}/${resource.name}`}
          resource={resource}
          filters={filters}
          onFilters={(f) => void navigate(buildTapPageUrl(resource, f), { replace: true })}
        />
      ) : (
        <EmptyState title="Choose a resource to tap">
          <p className="muted">
            A workload, service, pod or namespace: its proxies stream their requests here live.
          </p>
        </EmptyState>
      )}
    </div>
  );
}
