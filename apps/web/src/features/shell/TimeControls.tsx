import { formatTimestamp } from '../../lib/format';
import { REFRESH_CHOICES, WINDOWS, effectiveRefresh, type TimeWindow } from '../../lib/timeUrl';
import { useTime } from './time/TimeProvider';

export function TimeControls() {
  const { time, setTime, backToLive } = useTime();
  const range = time.range;
  const refresh = effectiveRefresh(time);
  const live = range.kind === 'window';
  const paused = time.refreshMs === 0;

  function handleWindow(w: string) {
    if (!(WINDOWS as readonly string[]).includes(w)) return;
    const window = w as TimeWindow;
    // In replay the window is the period that ends at the instant: keep replaying.
    setTime({
      ...time,
      range: range.kind === 'instant' ? { ...range, window } : { kind: 'window', window },
    });
  }

  function handleReplay() {
    // Start at the present (on a 10 s step); the slider goes back from there.
    const at = Math.floor(Date.now() / 10_000) * 10_000;
    setTime({ ...time, range: { kind: 'instant', at, window: live ? range.window : '1m' } });
  }

  return (
    <div className="time-controls">
      {range.kind === 'absolute' ? (
        <span className="pinned" data-testid="pinned-range">
          <span className="mono">
            {formatTimestamp(range.from)} → {formatTimestamp(range.to)}
          </span>
          <button type="button" className="btn btn-small" onClick={backToLive}>
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
      {range.kind !== 'instant' && (
        <button type="button" className="btn" onClick={handleReplay}>
          Replay
        </button>
      )}
      <label className="field">
        <span>Refresh</span>
        <select
          aria-label="Refresh interval"
          value={String(time.refreshMs)}
          disabled={!live}
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
        disabled={!live}
        onClick={() => setTime({ ...time, refreshMs: paused ? 5000 : 0 })}
      >
        {paused ? 'Resume' : 'Pause'}
      </button>
      <span className={refresh > 0 ? 'live-dot live' : 'live-dot'} aria-hidden="true" />
    </div>
  );
}
