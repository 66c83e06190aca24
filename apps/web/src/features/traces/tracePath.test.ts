import type { Span } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { tracePath } from './tracePath';

function span(
  spanId: string,
  service: string,
  parentSpanId?: string,
  attributes: Span['attributes'] = {},
): Span {
  return {
    traceId: 'a'.repeat(32),
    spanId,
    ...(parentSpanId === undefined ? {} : { parentSpanId }),
    name: 'GET',
    service,
    kind: 'server',
    startMs: 0,
    durationMs: 1,
    status: { code: 'unset' },
    attributes,
    events: [],
  };
}

const graph = {
  nodes: [
    { id: 'workload:shop/web', namespace: 'shop', name: 'web' },
    { id: 'workload:shop/cart', namespace: 'shop', name: 'cart' },
    { id: 'workload:payments/payments', namespace: 'payments', name: 'payments' },
    { id: 'workload:shop/auth', namespace: 'shop', name: 'auth' },
    { id: 'workload:platform/auth', namespace: 'platform', name: 'auth' },
  ],
  edges: [
    {
      id: 'workload:shop/web->workload:shop/cart',
      source: 'workload:shop/web',
      target: 'workload:shop/cart',
    },
    {
      id: 'workload:shop/cart->workload:payments/payments',
      source: 'workload:shop/cart',
      target: 'workload:payments/payments',
    },
    {
      id: 'workload:shop/web->workload:platform/auth',
      source: 'workload:shop/web',
      target: 'workload:platform/auth',
    },
  ],
};

describe('tracePath', () => {
  it('follows parent -> child across services onto graph nodes and edges', () => {
    const spans = [
      span('1', 'web'),
      span('2', 'web', '1'), // client span of web
      span('3', 'cart', '2'),
      span('4', 'cart', '3'),
      span('5', 'payments', '4'),
    ];
    expect(tracePath(spans, graph)).toEqual({
      nodeIds: ['workload:shop/web', 'workload:shop/cart', 'workload:payments/payments'],
      edgeIds: [
        'workload:shop/web->workload:shop/cart',
        'workload:shop/cart->workload:payments/payments',
      ],
      missing: [],
    });
  });

  it('tells same-named services apart by namespace, inherited by client spans', () => {
    const spans = [
      span('1', 'web', undefined, { 'k8s.namespace.name': 'shop' }),
      span('2', 'auth', '1', { 'k8s.namespace.name': 'platform' }),
      span('3', 'auth', '2'), // client span: namespace from its server span
    ];
    const path = tracePath(spans, graph);
    expect(path.nodeIds).toEqual(['workload:shop/web', 'workload:platform/auth']);
    expect(path.edgeIds).toEqual(['workload:shop/web->workload:platform/auth']);
  });

  it('reports services the graph does not show instead of guessing', () => {
    const spans = [span('1', 'web'), span('2', 'auth', '1'), span('3', 'ledger', '1')];
    expect(tracePath(spans, graph)).toEqual({
      nodeIds: ['workload:shop/web'],
      edgeIds: [],
      missing: ['auth', 'ledger'],
    });
  });
});
