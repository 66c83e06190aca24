import type { ServerResponse } from 'node:http';
import { formatSseEvent } from '@meshlens/cp-client';

export interface SseHub {
  /** Turns a response into an event stream in `group`; returns a send function. */
  open(res: ServerResponse, group: string): (event: string, payload: unknown) => void;
  /** Sends to every stream of a group; the payload is serialized once. */
  broadcast(group: string, event: string, payload: unknown): number;
  count(prefix?: string): number;
  closeAll(): void;
}

/** Server-sent-event streams grouped by topic, with a heartbeat so clients detect dead peers. */
export function createSseHub(opts: { heartbeatMs?: number } = {}): SseHub {
  const groups = new Map<string, Set<ServerResponse>>();
  const heartbeat = setInterval(() => {
    for (const set of groups.values()) for (const res of set) res.write(': ping\n\n');
  }, opts.heartbeatMs ?? 10_000);
  heartbeat.unref();

  return {
    open(res, group) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.flushHeaders();
      let set = groups.get(group);
      if (!set) groups.set(group, (set = new Set()));
      set.add(res);
      res.on('close', () => {
        set.delete(res);
        if (set.size === 0 && groups.get(group) === set) groups.delete(group);
      });
      return (event, payload) => {
        res.write(formatSseEvent(event, payload));
      };
    },
    broadcast(group, event, payload) {
      const set = groups.get(group);
      if (!set) return 0;
      const text = formatSseEvent(event, payload);
      for (const res of set) res.write(text);
      return set.size;
    },
    count(prefix) {
      let n = 0;
      for (const [g, set] of groups)
        if (prefix === undefined || g.startsWith(prefix)) n += set.size;
      return n;
    },
    closeAll() {
      clearInterval(heartbeat);
      for (const set of groups.values()) for (const res of set) res.end();
      groups.clear();
    },
  };
}
