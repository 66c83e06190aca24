import type { TapEndEvent, TapEvent, TapHeadersEvent, TapStartEvent } from '@meshlens/contract';

/** One request as the table shows it: its start, and its response and end once they came. */
export interface Call {
  id: string;
  start: TapStartEvent;
  headers?: TapHeadersEvent;
  end?: TapEndEvent;
}

/**
 * The newest calls of a tap, bounded: at most `max` calls are kept (the oldest go), so a busy
 * service cannot grow the page's memory. Events of calls no longer kept are ignored.
 */
export class CallLog {
  private readonly byId = new Map<string, Call>();
  dropped = 0;
  version = 0;

  constructor(private readonly max = 1000) {}

  add(e: TapEvent): void {
    this.version++;
    if (e.type === 'dropped') {
      this.dropped += e.count;
      return;
    }
    if (e.type === 'start') {
      this.byId.set(e.id, { id: e.id, start: e });
      if (this.byId.size > this.max) {
        const oldest = this.byId.keys().next().value;
        if (oldest !== undefined) this.byId.delete(oldest);
      }
      return;
    }
    const call = this.byId.get(e.id);
    if (call === undefined) return;
    if (e.type === 'headers') call.headers = e;
    else call.end = e;
  }

  /** Newest first (fresh objects, so React sees a change). */
  newestFirst(): Call[] {
    return [...this.byId.values()].reverse().map((c) => ({ ...c }));
  }
}
