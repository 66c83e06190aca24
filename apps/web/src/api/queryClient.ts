import { keepPreviousData, QueryClient } from '@tanstack/react-query';
import { ApiError } from './client';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Client errors will not fix themselves; server/network errors get one retry.
        retry: (count, err) =>
          !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 1,
        retryDelay: 1000,
        refetchOnWindowFocus: false,
        placeholderData: keepPreviousData,
        structuralSharing: true,
      },
    },
  });
}

/**
 * Options for data that refreshes live. refetchInterval never overlaps an in-flight request
 * (TanStack dedupes), stops while the tab is hidden, and 0 means paused: no requests at all.
 */
export function liveOptions(refreshMs: number) {
  const live = refreshMs > 0;
  return {
    refetchInterval: live ? refreshMs : (false as const),
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: live,
    refetchOnReconnect: live,
    staleTime: live ? Math.min(refreshMs, 2000) : Number.POSITIVE_INFINITY,
    placeholderData: keepPreviousData,
  };
}
