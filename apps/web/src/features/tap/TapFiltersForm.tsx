import { useState, type FormEvent } from 'react';
import type { TapFilters } from './url';

export interface TapFiltersFormProps {
  filters: TapFilters;
  onApply: (f: TapFilters) => void;
}

/** The tap's filters; applied on submit (each change would restart the proxies' taps). */
export function TapFiltersForm({ filters, onApply }: TapFiltersFormProps) {
  const [draft, setDraft] = useState(filters);
  const set = (k: keyof TapFilters) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [k]: e.target.value });
  const handleSubmit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };
  const text = (k: keyof TapFilters, label: string, placeholder: string) => (
    <label className="field">
      {label}
      <input value={draft[k]} onChange={set(k)} placeholder={placeholder} aria-label={label} />
    </label>
  );
  return (
    <form className="toolbar" onSubmit={handleSubmit} aria-label="Tap filters">
      <label className="field">
        Direction
        <select value={draft.direction} onChange={set('direction')} aria-label="Direction">
          <option value="">both</option>
          <option value="inbound">inbound</option>
          <option value="outbound">outbound</option>
        </select>
      </label>
      {text('method', 'Method', 'GET')}
      {text('path', 'Path prefix', '/api')}
      {text('authority', 'Authority', 'catalog.shop')}
      {text('toWorkload', 'To workload', 'checkout')}
      {text('fromNamespace', 'From namespace', 'shop')}
      {text('maxRps', 'Max req/s', '100')}
      <button type="submit" className="btn btn-primary">
        Apply
      </button>
    </form>
  );
}
