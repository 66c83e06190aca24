import { useEffect, useState } from 'react';
import { formatTimestamp } from '../../../lib/format';
import { useHistoryQuery } from '../useShellQueries';
import { REPLAY_SPEEDS, REPLAY_STEPS, clampInstant, replayBounds } from './replay';
import { useTime } from './TimeProvider';

/** Replay: a slider over the history the API reports; graph, table and panels follow `at`. */
export function ReplayBar() {
  const { time, setTime, backToLive } = useTime();
  const range = time.range;
  const history = useHistoryQuery(range.kind === 'instant');
  const [stepMs, setStepMs] = useState<number>(REPLAY_STEPS[0].ms);
  const [speed, setSpeed] = useState<number>(1);
  const [playing, setPlaying] = useState(false);
  const at = range.kind === 'instant' ? range.at : undefined;
  const window = range.kind === 'instant' ? range.window : undefined;
  const bounds =
    history.data && window !== undefined ? replayBounds(history.data, window, stepMs) : undefined;

  useEffect(() => {
    if (!playing || at === undefined || window === undefined || !bounds) return undefined;
    if (at >= bounds.max) {
      setPlaying(false);
      return undefined;
    }
    // One step per second of wall time at 1x; replace so the back button leaves replay.
    const timer = setTimeout(
      () =>
        setTime(
          { ...time, range: { kind: 'instant', window, at: clampInstant(at + stepMs, bounds) } },
          { replace: true },
        ),
      1000 / speed,
    );
    return () => clearTimeout(timer);
  }, [playing, at, window, bounds, stepMs, speed, time, setTime]);

  if (at === undefined || window === undefined) return null;
  const move = (next: number) => {
    if (bounds)
      setTime(
        { ...time, range: { kind: 'instant', window, at: clampInstant(next, bounds) } },
        { replace: true },
      );
  };

  return (
    <section className="replay-bar" aria-label="Replay">
      <strong>Replay</strong>
      <span className="mono" data-testid="replay-instant">
        {formatTimestamp(at)}
      </span>
      <span className="muted">(the {window} ending here)</span>
      {renderSlider()}
      <button type="button" className="btn btn-small" onClick={backToLive}>
        Back to live
      </button>
    </section>
  );

  function renderSlider() {
    if (history.isError)
      return (
        <span role="alert" className="error-text">
          Could not read the available history: {history.error.message}{' '}
          <button type="button" className="btn btn-small" onClick={() => void history.refetch()}>
            Retry
          </button>
        </span>
      );
    if (!history.data) return <span className="muted">Loading history…</span>;
    if (!bounds || at === undefined)
      return (
        <span className="muted">
          No history yet: the source has less than one {window} of data.
        </span>
      );
    return (
      <>
        <button
          type="button"
          className="btn btn-small"
          aria-label="Step back"
          disabled={at <= bounds.min}
          onClick={() => move(at - stepMs)}
        >
          ◀
        </button>
        <input
          type="range"
          className="grow"
          aria-label="Replay instant"
          min={bounds.min}
          max={bounds.max}
          step={stepMs}
          value={clampInstant(at, bounds)}
          onChange={(e) => move(Number(e.target.value))}
        />
        <button
          type="button"
          className="btn btn-small"
          aria-label="Step forward"
          disabled={at >= bounds.max}
          onClick={() => move(at + stepMs)}
        >
          ▶
        </button>
        <button
          type="button"
          className="btn btn-small"
          aria-pressed={playing}
          onClick={() => setPlaying((p) => !p)}
        >
          {playing ? 'Pause' : 'Play'}
        </button>
        <label className="field">
          <span>Step</span>
          <select
            aria-label="Replay step"
            value={String(stepMs)}
            onChange={(e) => setStepMs(Number(e.target.value))}
          >
            {REPLAY_STEPS.map((s) => (
              <option key={s.ms} value={String(s.ms)}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Speed</span>
          <select
            aria-label="Replay speed"
            value={String(speed)}
            onChange={(e) => setSpeed(Number(e.target.value))}
          >
            {REPLAY_SPEEDS.map((s) => (
              <option key={s} value={String(s)}>
                {s}×
              </option>
            ))}
          </select>
        </label>
      </>
    );
  }
}
