import { formatTimestamp } from '../../lib/format';
import { REFRESH_CHOICES, WINDOWS, effectiveRefresh, type TimeWindow } from '../../lib/timeUrl';
import { useTimeParams } from './useTimeParams';

export function TimeControls() {
  const [time, setTime] = useTimeParams();
  const range = time.range;
  const refresh = effectiveRefresh(time);
  const paused = time.refreshMs === 0;

  function handleWindow(w: string) {
    if ((WINDOWS as readonly string[]).includes(w)) {
      setTime({ ...time, range: { kind: 'window', window: w as TimeWindow } });
    }
  }

  return (
    <div className="time-controls">
      {range.kind === 'absolute' ? (
        <span className="pinned" data-testid="pinned-range">
          <span className="mono">
            {formatTimestamp(range.from)} → {formatTimestamp(range.to)}
          </span>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => setTime({ ...time, range: { kind: 'window', window: '5m' } })}
          >
            Back to live
          </button>
        </span>
      ) : (
        <label className="field">
          <span>Window</span>
          <select
            aria-label="Time window"
            value={range.window}
            onChange={(e) => handleWindow(e.target.value)}
          >
            {WINDOWS.map((w) => (
              <option key={w} value={w}>
                last {w}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="field">
        <span>Refresh</span>
        <select
          aria-label="Refresh interval"
          value={String(time.refreshMs)}
          disabled={range.kind === 'absolute'}
          onChange={(e) => setTime({ ...time, refreshMs: Number(e.target.value) })}
        >
          {REFRESH_CHOICES.map((ms) => (
            <option key={ms} value={String(ms)}>
              {ms === 0 ? 'off' : `${ms / 1000}s`}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        className="btn"
        aria-pressed={paused}
        disabled={range.kind === 'absolute'}
        onClick={() => setTime({ ...time, refreshMs: paused ? 5000 : 0 })}
      >
        {paused ? 'Resume' : 'Pause'}
      </button>
      <span className={refresh > 0 ? 'live-dot live' : 'live-dot'} aria-hidden="true" />
    </div>
  );
}
