import type { ReactNode } from 'react';
import { ApiError } from '../api/client';

export function LoadingState({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export interface EmptyStateProps {
  title: string;
  children?: ReactNode;
}

export function EmptyState({ title, children }: EmptyStateProps) {
  return (
    <div className="state state-empty" role="status">
      <strong>{title}</strong>
      {children}
    </div>
  );
}

/** What to do when the mesh shows nothing: the two ways to get traffic flowing. */
export function NoTrafficHelp() {
  return (
    <div className="help">
      <p>No traffic yet. Send some requests through the mesh:</p>
      <ul>
        <li>
          run the demo shop and its load generator: <code>npm start</code>
        </li>
        <li>
          or call a meshed service through its proxy, e.g.{' '}
          <code>curl -H &apos;Host: web.shop&apos; http://127.0.0.1:&lt;outbound-port&gt;/</code>
        </li>
      </ul>
      <p>Numbers appear after the next scrape (every few seconds).</p>
    </div>
  );
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const where = err.parameter !== undefined ? ` (parameter ${err.parameter})` : '';
    return err.status > 0 ? `${err.message}${where} [HTTP ${err.status}]` : err.message;
  }
  if (err instanceof Error) return err.message;
  return 'Unknown error';
}

export interface ErrorStateProps {
  error: unknown;
  onRetry?: () => void;
}

export function ErrorState({ error, onRetry }: ErrorStateProps) {
  // a backend the dashboard reads (Jaeger, Tempo, Prometheus) failed: the message names it;
  // the mesh-health page shows every source's state
  const backend = error instanceof ApiError && error.code === 'backend_error';
  return (
    <div className="state state-error" role="alert">
      <strong>{backend ? 'A data source failed' : 'Could not load this view'}</strong>
      <span>{errorMessage(error)}</span>
      {backend && <span className="muted">Mesh health lists each data source and its state.</span>}
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export interface StaleNoticeProps {
  reason: string;
  since?: string;
}

export function StaleNotice({ reason, since }: StaleNoticeProps) {
  return (
    <div className="stale" role="status" data-testid="stale-notice">
      <strong>Stale data</strong>
      <span>{reason}</span>
      {since !== undefined && <span className="muted">last update {since}</span>}
    </div>
  );
}
