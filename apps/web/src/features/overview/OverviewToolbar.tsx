import { GRAPH_TYPE_LABELS, RESOURCE_KINDS, type OverviewUrl } from './url';

export interface OverviewToolbarProps {
  url: OverviewUrl;
  namespaces: readonly string[];
  onChange: (next: OverviewUrl, replace: boolean) => void;
}

export function OverviewToolbar({ url, namespaces, onChange }: OverviewToolbarProps) {
  const nsOptions =
    url.namespace && !namespaces.includes(url.namespace)
      ? [url.namespace, ...namespaces]
      : namespaces;
  return (
    <div className="toolbar" role="toolbar" aria-label="Overview filters">
      <h1 className="h1">{url.namespace === undefined ? 'All namespaces' : url.namespace}</h1>
      <label className="field">
        <span>Namespace</span>
        <select
          aria-label="Namespace"
          value={url.namespace ?? ''}
          onChange={(e) =>
            onChange(
              {
                ...url,
                namespace: e.target.value === '' ? undefined : e.target.value,
                selected: undefined,
              },
              false,
            )
          }
        >
          <option value="">All namespaces</option>
          {nsOptions.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <div className="segmented" role="group" aria-label="Graph type">
        {RESOURCE_KINDS.map((k) => (
          <button
            key={k}
            type="button"
            aria-pressed={url.kind === k}
            onClick={() => onChange({ ...url, kind: k, selected: undefined }, false)}
          >
            {GRAPH_TYPE_LABELS[k]}
          </button>
        ))}
      </div>
      <label className="field grow">
        <span>Search</span>
        <input
          type="search"
          aria-label="Filter by name"
          placeholder="name or namespace/name"
          value={url.filter}
          onChange={(e) => onChange({ ...url, filter: e.target.value }, true)}
        />
      </label>
      <label className="field narrow">
        <span>Warn &lt;</span>
        <input
          type="number"
          aria-label="Warning threshold (success %)"
          min={0}
          max={100}
          step={0.5}
          value={Math.round(url.thresholds.warning * 1000) / 10}
          onChange={(e) => {
            const warning = Number(e.target.value) / 100;
            if (Number.isFinite(warning) && warning >= url.thresholds.failing && warning <= 1) {
              onChange({ ...url, thresholds: { ...url.thresholds, warning } }, true);
            }
          }}
        />
      </label>
      <label className="field narrow">
        <span>Fail &lt;</span>
        <input
          type="number"
          aria-label="Failing threshold (success %)"
          min={0}
          max={100}
          step={0.5}
          value={Math.round(url.thresholds.failing * 1000) / 10}
          onChange={(e) => {
            const failing = Number(e.target.value) / 100;
            if (Number.isFinite(failing) && failing >= 0 && failing <= url.thresholds.warning) {
              onChange({ ...url, thresholds: { ...url.thresholds, failing } }, true);
            }
          }}
        />
      </label>
    </div>
  );
}
