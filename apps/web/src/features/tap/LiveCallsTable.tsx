import type { TapPeer } from '@meshlens/contract';
import { useState, type UIEvent } from 'react';
import type { Call } from './callLog';

export const ROW_HEIGHT = 30;
const VIEWPORT = 420;
const OVERSCAN = 6;

export function peerLabel(p: TapPeer | undefined): string {
  if (p === undefined) return '—';
  const name = p.workload ?? p.service;
  if (name !== undefined) return p.namespace === undefined ? name : `${p.namespace}/${name}`;
  return p.identity ?? p.address ?? '—';
}

function statusOf(c: Call): { text: string; failed: boolean } {
  const status = c.end?.status ?? c.headers?.status;
  if (status === undefined) return { text: '…', failed: false };
  const failed = status >= 500 || c.end?.error !== undefined;
  return { text: String(status), failed };
}

function latency(c: Call): string {
  const ms = c.end?.durationMs ?? c.headers?.sinceStartMs;
  return ms === undefined ? '…' : `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
}

export interface LiveCallsTableProps {
  calls: readonly Call[];
  selectedId: string | undefined;
  onSelect: (id: string) => void;
}

/**
 * Newest first, virtualized: only the rows in view (plus a few) are in the DOM, however many
 * calls the log holds. Every value is rendered as text (paths and names come from the network).
 */
export function LiveCallsTable({ calls, selectedId, onSelect }: LiveCallsTableProps) {
  const [scrollTop, setScrollTop] = useState(0);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(calls.length, Math.ceil((scrollTop + VIEWPORT) / ROW_HEIGHT) + OVERSCAN);
  const visible = calls.slice(first, last);
  const handleScroll = (e: UIEvent<HTMLDivElement>) => setScrollTop(e.currentTarget.scrollTop);
  return (
    <div
      className="table-wrap tap-viewport"
      style={{ maxHeight: VIEWPORT, overflowY: 'auto' }}
      onScroll={handleScroll}
    >
      <table className="data-table" data-testid="tap-table">
        <thead>
          <tr>
            <th>Time</th>
            <th>Dir</th>
            <th>Method</th>
            <th>Path</th>
            <th>From</th>
            <th>To</th>
            <th className="num">Status</th>
            <th className="num">Latency</th>
          </tr>
        </thead>
        <tbody>
          {first > 0 && (
            <tr aria-hidden="true" style={{ height: first * ROW_HEIGHT }}>
              <td colSpan={8} />
            </tr>
          )}
          {visible.map((c) => {
            const s = statusOf(c);
            return (
              <tr
                key={c.id}
                data-testid="tap-row"
                style={{ height: ROW_HEIGHT, cursor: 'pointer' }}
                aria-selected={c.id === selectedId}
                className={c.id === selectedId ? 'selected' : undefined}
                onClick={() => onSelect(c.id)}
              >
                <td className="mono">{new Date(c.start.ts).toLocaleTimeString()}</td>
                <td>{c.start.direction === 'inbound' ? 'in' : 'out'}</td>
                <td className="mono">{c.start.method}</td>
                <td className="mono-name">{c.start.path}</td>
                <td className="mono-name">{peerLabel(c.start.src)}</td>
                <td className="mono-name">{peerLabel(c.headers?.dst ?? c.start.dst)}</td>
                <td className={`num ${s.failed ? 'sr-failing' : ''}`}>{s.text}</td>
                <td className="num">{latency(c)}</td>
              </tr>
            );
          })}
          {last < calls.length && (
            <tr aria-hidden="true" style={{ height: (calls.length - last) * ROW_HEIGHT }}>
              <td colSpan={8} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
