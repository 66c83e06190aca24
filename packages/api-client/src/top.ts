import type { TapEvent, TapPeer } from '@meshlens/contract';

/** One line of `top`: the calls to one path from/to one peer. */
export interface TopRow {
  key: string;
  direction: 'inbound' | 'outbound';
  method: string;
  /** path without the query string */
  path: string;
  /** the other side: the source inbound, the destination outbound */
  peer: string;
  count: number;
  successes: number;
  minMs: number;
  p50Ms: number;
  maxMs: number;
  lastSeen: number;
}

const MAX_PENDING = 5000;
const MAX_ROWS = 500;
const SAMPLES = 200;

function peerName(p: TapPeer | undefined): string {
  if (p === undefined) return '-';
  const name = p.workload ?? p.service ?? p.identity?.split('/sa/')[1];
  if (name !== undefined && p.namespace !== undefined) return `${p.namespace}/${name}`;
  return name ?? p.identity ?? p.address ?? '-';
}

interface Acc {
  row: TopRow;
  samples: number[];
}

/**
 * Aggregates a tap stream into `top` rows (by direction, method, path and peer) with bounded
 * memory: at most MAX_ROWS rows (the least recently seen go), MAX_PENDING open requests, and
 * the latest SAMPLES durations per row for the median.
 */
export class TopTable {
  private readonly pending = new Map<
    string,
    {
      key: string;
      base: Omit<TopRow, 'count' | 'successes' | 'minMs' | 'p50Ms' | 'maxMs' | 'lastSeen'>;
    }
  >();
  private readonly rows = new Map<string, Acc>();

  add(e: TapEvent): void {
    if (e.type === 'start') {
      const path = e.path.split('?')[0] ?? e.path;
      const peer = peerName(e.direction === 'inbound' ? e.src : e.dst);
      const key = `${e.direction} ${e.method} ${path} ${peer}`;
      this.pending.set(e.id, {
        key,
        base: { key, direction: e.direction, method: e.method, path, peer },
      });
      if (this.pending.size > MAX_PENDING) {
        const oldest = this.pending.keys().next().value;
        if (oldest !== undefined) this.pending.delete(oldest);
      }
      return;
    }
    if (e.type === 'headers' && e.dst !== undefined) {
      // outbound: the endpoint picked names the peer better than the service did
      const p = this.pending.get(e.id);
      if (p !== undefined && p.base.direction === 'outbound') {
        const peer = peerName(e.dst);
        const key = `${p.base.direction} ${p.base.method} ${p.base.path} ${peer}`;
        this.pending.set(e.id, { key, base: { ...p.base, key, peer } });
      }
      return;
    }
    if (e.type !== 'end') return;
    const p = this.pending.get(e.id);
    if (p === undefined) return;
    this.pending.delete(e.id);
    let acc = this.rows.get(p.key);
    if (acc === undefined) {
      acc = {
        row: {
          ...p.base,
          count: 0,
          successes: 0,
          minMs: Infinity,
          p50Ms: 0,
          maxMs: 0,
          lastSeen: 0,
        },
        samples: [],
      };
      this.rows.set(p.key, acc);
      if (this.rows.size > MAX_ROWS) this.evict();
    }
    const r = acc.row;
    r.count++;
    if (e.status < 500 && e.error === undefined) r.successes++;
    r.minMs = Math.min(r.minMs, e.durationMs);
    r.maxMs = Math.max(r.maxMs, e.durationMs);
    r.lastSeen = e.ts;
    acc.samples.push(e.durationMs);
    if (acc.samples.length > SAMPLES) acc.samples.shift();
    const sorted = [...acc.samples].sort((a, b) => a - b);
    r.p50Ms = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
  }

  private evict(): void {
    let oldest: Acc | undefined;
    for (const a of this.rows.values()) {
      if (oldest === undefined || a.row.lastSeen < oldest.row.lastSeen) oldest = a;
    }
    if (oldest !== undefined) this.rows.delete(oldest.row.key);
  }

  /** Rows by count, busiest first (copies: safe to keep). */
  snapshot(): TopRow[] {
    return [...this.rows.values()]
      .map((a) => ({ ...a.row }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  }
}
