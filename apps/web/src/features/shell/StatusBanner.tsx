import type { StatusResponse } from '@meshlens/contract';
import { StaleNotice, errorMessage } from '../../components/StateViews';
import { formatAgo } from '../../lib/format';
import { useStatusQuery } from './useShellQueries';
import { useTime } from './time/TimeProvider';

export function staleReason(status: StatusResponse): string | undefined {
  if (!status.stale && status.source.healthy) return undefined;
  const parts: string[] = [];
  if (status.source.lastError !== null) parts.push(status.source.lastError);
  // The source's error is often repeated in errors[]; say each reason once.
  for (const e of status.errors) {
    if (!parts.includes(e.message)) parts.push(`${e.component}: ${e.message}`);
  }
  const t = status.source.targets;
  if (t && t.down > 0) parts.push(`${t.down} of ${t.total} scrape targets down`);
  if (parts.length === 0) parts.push(`the ${status.source.kind} source has no fresh data`);
  return parts.join('; ');
}

export interface StatusBannerViewProps {
  status: StatusResponse | undefined;
  error: unknown;
  lastSuccessMs: number | undefined;
  now: number;
}

/** Pure: decides between nothing, "server unreachable" and "source stale". */
export function StatusBannerView({ status, error, lastSuccessMs, now }: StatusBannerViewProps) {
  const since = lastSuccessMs !== undefined ? formatAgo(lastSuccessMs, now) : undefined;
  if (error) {
    return (
      <StaleNotice
        reason={`The dashboard server is not answering (${errorMessage(error)}). Showing the last data received; retrying.`}
        {...(since !== undefined ? { since } : {})}
      />
    );
  }
  if (!status) return null;
  const reason = staleReason(status);
  if (reason === undefined) return null;
  const tick = status.source.lastTickMs;
  return (
    <StaleNotice
      reason={`Telemetry is not fresh: ${reason}`}
      {...(tick !== null ? { since: formatAgo(tick, now) } : {})}
    />
  );
}

export function StatusBanner() {
  const { time } = useTime();
  // Status is polled even for pinned ranges: the outage notice is about the server, not the data.
  const q = useStatusQuery(time.refreshMs);
  return (
    <StatusBannerView
      status={q.data}
      error={q.isError ? q.error : undefined}
      lastSuccessMs={q.dataUpdatedAt > 0 ? q.dataUpdatedAt : undefined}
      now={Date.now()}
    />
  );
}
