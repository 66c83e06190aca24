import { TopTable } from '@meshlens/api-client';
import type { TapEvent } from '@meshlens/contract';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { EmptyState, LoadingState } from '../../components/StateViews';
import { CallDetail } from './CallDetail';
import { CallLog, type Call } from './callLog';
import { LiveCallsTable } from './LiveCallsTable';
import { TapFiltersForm } from './TapFiltersForm';
import { TopView } from './TopView';
import { tapApiQuery, type TapFilters, type TapResource } from './url';
import { useTapStream } from './useTapStream';

const REFRESH_MS = 300;

export interface LiveCallsProps {
  resource: TapResource;
  filters: TapFilters;
  onFilters: (f: TapFilters) => void;
}

/**
 * Live calls of a resource: a streaming table (or top), pause/resume, drop notices. Events land
 * in bounded stores; the view redraws a few times a second, not once per event.
 */
export function LiveCalls({ resource, filters, onFilters }: LiveCallsProps) {
  const [running, setRunning] = useState(true);
  const [selected, setSelected] = useState<string | undefined>();
  const [shown, setShown] = useState<{ calls: Call[]; dropped: number; at: number }>({
    calls: [],
    dropped: 0,
    at: 0,
  });
  const query = useMemo(() => tapApiQuery(resource, filters), [resource, filters]);
  const queryKey = JSON.stringify(query);
  const log = useRef(new CallLog());
  const top = useRef(new TopTable());
  const drawn = useRef(-1);
  useEffect(() => {
    log.current = new CallLog();
    top.current = new TopTable();
    drawn.current = -1;
    setShown({ calls: [], dropped: 0, at: Date.now() });
  }, [queryKey]);
  const handleEvent = useCallback((e: TapEvent) => {
    log.current.add(e);
    top.current.add(e);
  }, []);
  const stream = useTapStream(query, running, handleEvent);
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      if (log.current.version === drawn.current) return;
      drawn.current = log.current.version;
      setShown({
        calls: log.current.newestFirst(),
        dropped: log.current.dropped,
        at: Date.now(),
      });
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [running]);

  const call = shown.calls.find((c) => c.id === selected);
  const setView = (view: TapFilters['view']) => onFilters({ ...filters, view });
  return (
    <div className="page" data-testid="live-calls">
      <TapFiltersForm key={queryKey} filters={filters} onApply={onFilters} />
      <div className="between">
        <div className="segmented" role="group" aria-label="Live view">
          <button
            type="button"
            aria-pressed={filters.view === 'calls'}
            onClick={() => setView('calls')}
          >
            Calls
          </button>
          <button
            type="button"
            aria-pressed={filters.view === 'top'}
            onClick={() => setView('top')}
          >
            Top
          </button>
        </div>
        <span className="muted" data-testid="tap-status" role="status">
          {stream.status === 'live' && stream.info !== undefined
            ? `live · ${stream.info.proxies.length} prox${stream.info.proxies.length === 1 ? 'y' : 'ies'} · ${shown.calls.length} calls`
            : stream.status}
        </span>
        <button type="button" className="btn" onClick={() => setRunning(!running)}>
          {running ? 'Pause calls' : 'Resume calls'}
        </button>
      </div>
      {shown.dropped > 0 && (
        <div className="state stale" role="alert" data-testid="tap-dropped">
          {shown.dropped} events dropped (over the rate cap or while the browser could not keep up)
        </div>
      )}
      {stream.proxyErrors.map((e) => (
        <div key={e.pod} className="state state-error" role="alert">
          Cannot tap {e.pod}: {e.message}
        </div>
      ))}
      {stream.status === 'error' ? (
        <div className="state state-error" role="alert">
          {stream.error}
        </div>
      ) : stream.status === 'connecting' && shown.calls.length === 0 ? (
        <LoadingState label="Opening the tap…" />
      ) : filters.view === 'top' ? (
        <TopView rows={top.current.snapshot()} now={shown.at} />
      ) : shown.calls.length === 0 ? (
        <EmptyState title="No calls yet">
          <p className="muted">Calls matching the filters appear here as they happen.</p>
        </EmptyState>
      ) : (
        <div className="overview-grid">
          <LiveCallsTable calls={shown.calls} selectedId={selected} onSelect={setSelected} />
          {call !== undefined && <CallDetail call={call} onClose={() => setSelected(undefined)} />}
        </div>
      )}
    </div>
  );
}
