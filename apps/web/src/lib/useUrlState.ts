import { useCallback } from 'react';
import { useLocation, useNavigate, useParams } from 'react-router';
import { useTime } from '../features/shell/time/TimeProvider';
import type { TimeState } from './timeUrl';

type PathParams = Readonly<Record<string, string | undefined>>;

/**
 * View state that lives in the URL: parsed on every render from the location, written by
 * navigating to the URL its feature's url.ts builds. The URL is the single home of this state.
 * Time is parsed once, by the TimeProvider, and handed to `parse`.
 */
export function useUrlState<S>(
  parse: (params: PathParams, search: string, time: TimeState) => S,
  build: (state: S) => string,
): [S, (next: S, opts?: { replace?: boolean }) => void] {
  const params = useParams();
  const { search } = useLocation();
  const navigate = useNavigate();
  const { time } = useTime();
  const state = parse(params, search, time);
  const set = useCallback(
    (next: S, opts?: { replace?: boolean }) => {
      void navigate(build(next), { replace: opts?.replace ?? false });
    },
    [navigate, build],
  );
  return [state, set];
}
