import { useCallback } from 'react';
import { useLocation, useSearchParams } from 'react-router';
import { defaultWindowFor, TIME_KEYS } from '../../lib/share';
import { parseTime, writeTime, type TimeState } from '../../lib/timeUrl';

/** Reads and writes the shared time part of the current URL, keeping every other parameter. */
export function useTimeParams(): [TimeState, (next: TimeState) => void] {
  const [params, setParams] = useSearchParams();
  const { pathname } = useLocation();
  const def = defaultWindowFor(pathname);
  const time = parseTime(params, def);
  const setTime = useCallback(
    (next: TimeState) => {
      setParams(
        (prev) => {
          const p = new URLSearchParams(prev);
          for (const k of TIME_KEYS) p.delete(k);
          writeTime(p, next, def);
          return p;
        },
        { replace: false },
      );
    },
    [setParams, def],
  );
  return [time, setTime];
}
