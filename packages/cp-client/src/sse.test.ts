import { describe, expect, it } from 'vitest';
import { createBackoff } from './backoff';
import { createSseParser, formatSseEvent, type SseEvent } from './sse';

describe('createSseParser', () => {
  it('parses events split across chunks, CRLF, comments and multi-line data', () => {
    const events: SseEvent[] = [];
    const feed = createSseParser((e) => events.push(e));
    feed(': heartbeat\n\nevent: conf');
    feed('ig\r\ndata: {"a":1}\r\n\r\n');
    feed('data: line1\ndata: line2\nid: 7\n\n');
    feed(formatSseEvent('endpoints', { x: 'y' }));
    expect(events).toEqual([
      { event: 'config', data: '{"a":1}' },
      { event: 'message', data: 'line1\nline2', id: '7' },
      { event: 'endpoints', data: '{"x":"y"}', id: '7' },
    ]);
  });
});

describe('createBackoff', () => {
  it('doubles up to the cap with half of each step jittered', () => {
    const lo = createBackoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
    expect([lo.next(), lo.next(), lo.next(), lo.next(), lo.next()]).toEqual([
      50, 100, 200, 400, 500,
    ]);
    const hi = createBackoff({ initialMs: 100, maxMs: 1000, random: () => 1 });
    expect([hi.next(), hi.next()]).toEqual([100, 200]);
    hi.reset();
    expect(hi.next()).toBe(100);
  });
});
