import { useId } from 'react';
import { EDGE_LABELS, type EdgeLabel } from '../topology/graphView';
import type { CollapseState, OverviewUrl } from './url';

export interface GraphToolbarProps {
  url: OverviewUrl;
  /** namespaces on the graph, for the collapse toggles */
  namespaces: readonly string[];
  isCollapsed: (namespace: string) => boolean;
  findError: string | undefined;
  hideError: string | undefined;
  onChange: (next: OverviewUrl, replace: boolean) => void;
}

const EDGE_LABEL_TEXT: Record<EdgeLabel, string> = {
  none: 'none',
  rps: 'requests/s',
  sr: 'success rate',
  p99: 'p99 latency',
  mtls: 'mTLS',
};

function ExpressionField(props: {
  label: string;
  value: string;
  placeholder: string;
  error: string | undefined;
  onChange: (v: string) => void;
}) {
  const errorId = useId();
  return (
    <label className="field grow">
      <span>{props.label}</span>
      <input
        type="search"
        aria-label={props.label}
        placeholder={props.placeholder}
        value={props.value}
        aria-invalid={props.error !== undefined}
        aria-describedby={props.error ? errorId : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.error && (
        <span id={errorId} role="alert" className="inline-error">
          {props.error}
        </span>
      )}
    </label>
  );
}

/** Find/hide, edge labels and namespace boxes: the graph's own controls, all kept in the URL. */
export function GraphToolbar({
  url,
  namespaces,
  isCollapsed,
  findError,
  hideError,
  onChange,
}: GraphToolbarProps) {
  const setCollapse = (collapse: CollapseState) =>
    onChange({ ...url, collapse, selected: undefined }, false);
  const toggle = (ns: string) => {
    const now = namespaces.filter((n) => isCollapsed(n));
    const next = now.includes(ns) ? now.filter((n) => n !== ns) : [...now, ns];
    setCollapse({ kind: 'some', namespaces: next.sort() });
  };
  return (
    <div className="toolbar graph-toolbar" role="toolbar" aria-label="Graph">
      <ExpressionField
        label="Find"
        value={url.find}
        placeholder="e.g. sr < 95 or p99 > 500ms"
        error={findError}
        onChange={(find) => onChange({ ...url, find }, true)}
      />
      <ExpressionField
        label="Hide"
        value={url.hide}
        placeholder="e.g. idle or ns = kube-system"
        error={hideError}
        onChange={(hide) => onChange({ ...url, hide }, true)}
      />
      <label className="field">
        <span>Edge labels</span>
        <select
          aria-label="Edge labels"
          value={url.edgeLabel}
          onChange={(e) => {
            const v = EDGE_LABELS.find((l) => l === e.target.value);
            if (v) onChange({ ...url, edgeLabel: v }, true);
          }}
        >
          {EDGE_LABELS.map((l) => (
            <option key={l} value={l}>
              {EDGE_LABEL_TEXT[l]}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Boxes</span>
        <input
          type="checkbox"
          aria-label="Namespace boxes"
          checked={url.boxes}
          onChange={(e) => onChange({ ...url, boxes: e.target.checked }, true)}
        />
      </label>
      <div className="segmented" role="group" aria-label="Collapse namespaces">
        <button type="button" onClick={() => setCollapse({ kind: 'all' })}>
          Collapse all
        </button>
        <button type="button" onClick={() => setCollapse({ kind: 'some', namespaces: [] })}>
          Expand all
        </button>
      </div>
      {namespaces.length > 1 && (
        <div className="ns-toggles" role="group" aria-label="Namespaces">
          {namespaces.map((ns) => (
            <button
              key={ns}
              type="button"
              className="chip"
              aria-pressed={isCollapsed(ns)}
              title={isCollapsed(ns) ? `Expand ${ns}` : `Collapse ${ns}`}
              onClick={() => toggle(ns)}
            >
              {isCollapsed(ns) ? '▸' : '▾'} {ns}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
