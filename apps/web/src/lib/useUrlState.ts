import { useCallback } from 'react';
import { useLocation, useNavigate, useParams } from 'react-router';

type PathParams = Readonly<Record<string, string | undefined>>;

/**
 * View state that lives in the URL: parsed on every render from the location, written by
 * navigating to the URL its feature's url.ts builds. The URL is the single home of this state.
 */
export function useUrlState<S>(
  parse: (params: PathParams, search: string) => S,
  build: (state: S) => string,
): [S, (next: S, opts?: { replace?: boolean }) => void] {
  const params = useParams();
  const { search } = useLocation();
  const navigate = useNavigate();
  const state = parse(params, search);
  const set = useCallback(
    (next: S, opts?: { replace?: boolean }) => {
      void navigate(build(next), { replace: opts?.replace ?? false });
    },
    [navigate, build],
  );
  return [state, set];
}
