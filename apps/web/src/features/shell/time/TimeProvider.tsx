import { createContext, useCallback, useContext, useMemo, type ReactNode } from 'react';
import { useLocation, useSearchParams } from 'react-router';
import { defaultWindowFor } from '../../../lib/timeDefaults';
import {
  parseTime,
  TIME_KEYS,
  writeTime,
  type TimeState,
  type TimeWindow,
} from '../../../lib/timeUrl';

export interface TimeContextValue {
  /** the time every view of this route shows (parsed once, here) */
  time: TimeState;
  /** this route's default window (ROUTE_DEFAULT_WINDOWS) */
  defaultWindow: TimeWindow;
  /** writes time into the URL, keeping every other parameter */
  setTime: (next: TimeState, opts?: { replace?: boolean }) => void;
  /** leaves a pinned period, replay or comparison for this route's live default */
  backToLive: () => void;
}

const TimeContext = createContext<TimeContextValue | undefined>(undefined);

/** The one owner of time in the SPA: reads it from the URL with the route's default. */
export function TimeProvider({ children }: { children: ReactNode }) {
  const [params, setParams] = useSearchParams();
  const { pathname } = useLocation();
  const defaultWindow = defaultWindowFor(pathname);
  const search = params.toString();
  const time = useMemo(
    () => parseTime(new URLSearchParams(search), defaultWindow),
    [search, defaultWindow],
  );
  const setTime = useCallback(
    (next: TimeState, opts?: { replace?: boolean }) => {
      setParams(
        (prev) => {
          const p = new URLSearchParams(prev);
          for (const k of TIME_KEYS) p.delete(k);
          writeTime(p, next, defaultWindow);
          return p;
        },
        { replace: opts?.replace ?? false },
      );
    },
    [setParams, defaultWindow],
  );
  const backToLive = useCallback(
    () => setTime({ refreshMs: time.refreshMs, range: { kind: 'window', window: defaultWindow } }),
    [setTime, time.refreshMs, defaultWindow],
  );
  const value = useMemo(
    () => ({ time, defaultWindow, setTime, backToLive }),
    [time, defaultWindow, setTime, backToLive],
  );
  return <TimeContext.Provider value={value}>{children}</TimeContext.Provider>;
}

export function useTime(): TimeContextValue {
  const v = useContext(TimeContext);
  if (!v) throw new Error('useTime() outside <TimeProvider>');
  return v;
}
