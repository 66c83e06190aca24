import { useState } from 'react';
import { formatTimestamp } from '../../lib/format';
import { COMPARE_OFFSETS, compareWithOffset } from '../../lib/timeUrl';
import { useTime } from '../shell/time/TimeProvider';

/** `YYYY-MM-DDTHH:MM:SS` in UTC for <input type="datetime-local"> (the dashboard shows UTC). */
function toInput(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

function fromInput(v: string): number | undefined {
  const ms = Date.parse(`${v}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Compare this period with another: presets or two pinned ranges, both kept in the URL. */
export function CompareBar() {
  const { time, setTime } = useTime();
  const compare = time.compare;
  const range = time.range;
  const [error, setError] = useState<string | undefined>(undefined);
  if (range.kind === 'instant') return null;

  function handleBaseline(which: 'from' | 'to', v: string) {
    if (!compare) return;
    const ms = fromInput(v);
    const next = { ...compare, [which]: ms ?? compare[which] };
    if (ms === undefined || next.from >= next.to) {
      setError('The baseline must start before it ends.');
      return;
    }
    setError(undefined);
    setTime({ ...time, compare: next });
  }

  return (
    <section className="compare-bar" aria-label="Compare">
      <label className="field">
        <span>Compare with</span>
        <select
          aria-label="Compare with"
          value=""
          onChange={(e) => {
            const offset = Number(e.target.value);
            if (offset > 0) setTime(compareWithOffset(time, offset, Date.now()));
          }}
        >
          <option value="">{compare ? 'another preset…' : 'nothing'}</option>
          {COMPARE_OFFSETS.map((o) => (
            <option key={o.ms} value={String(o.ms)}>
              the same period {o.label}
            </option>
          ))}
        </select>
      </label>
      {compare && range.kind === 'absolute' && (
        <>
          <span className="mono" data-testid="compare-ranges">
            {formatTimestamp(range.from)} → {formatTimestamp(range.to)} vs{' '}
            {formatTimestamp(compare.from)} → {formatTimestamp(compare.to)}
          </span>
          <label className="field">
            <span>Baseline from (UTC)</span>
            <input
              type="datetime-local"
              step={1}
              aria-label="Baseline from"
              value={toInput(compare.from)}
              onChange={(e) => handleBaseline('from', e.target.value)}
            />
          </label>
          <label className="field">
            <span>to</span>
            <input
              type="datetime-local"
              step={1}
              aria-label="Baseline to"
              value={toInput(compare.to)}
              onChange={(e) => handleBaseline('to', e.target.value)}
            />
          </label>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => setTime({ ...time, compare: undefined })}
          >
            Stop comparing
          </button>
          {error && (
            <span role="alert" className="inline-error">
              {error}
            </span>
          )}
        </>
      )}
    </section>
  );
}
