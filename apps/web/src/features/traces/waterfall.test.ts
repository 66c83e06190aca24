import type { Span } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { axisTicks, buildWaterfall, serviceColor, traceBounds } from './waterfall';

function span(
  id: string,
  parent: string | undefined,
  start: number,
  dur: number,
  service = 's',
): Span {
  return {
    traceId: 't'.repeat(32),
    spanId: id,
    ...(parent !== undefined ? { parentSpanId: parent } : {}),
    name: `op-${id}`,
    service,
    kind: 'server',
    startMs: start,
    durationMs: dur,
    status: { code: 'unset' },
    attributes: {},
    events: [],
  };
}

const spans = [
  span('c', 'a', 30, 10),
  span('a', undefined, 0, 100),
  span('b', 'a', 10, 50),
  span('d', 'b', 20, 5),
  span('orphan', 'missing', 40, 1),
];

describe('waterfall', () => {
  it('orders depth-first by start and keeps orphans as roots', () => {
    const rows = buildWaterfall(spans, new Set());
    expect(rows.map((r) => [r.span.spanId, r.depth, r.childCount])).toEqual([
      ['a', 0, 2],
      ['b', 1, 1],
      ['d', 2, 0],
      ['c', 1, 0],
      ['orphan', 0, 0],
    ]);
  });

  it('hides the descendants of collapsed spans', () => {
    const rows = buildWaterfall(spans, new Set(['b']));
    expect(rows.map((r) => r.span.spanId)).toEqual(['a', 'b', 'c', 'orphan']);
  });

  it('computes bounds, ticks and stable colours', () => {
    expect(traceBounds(spans)).toEqual({ start: 0, end: 100 });
    expect(axisTicks(100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(serviceColor('checkout')).toBe(serviceColor('checkout'));
    expect(serviceColor('checkout')).toMatch(/^#[0-9a-f]{6}$/);
  });
});
