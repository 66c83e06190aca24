import type { Span, TopologyResponse, TraceSummary } from '@meshlens/contract';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { QueryParams } from '../../api/client';
import { renderWithApp } from '../../testing/renderWithApp';

// jsdom has no canvas: the graph is replaced by what it was asked to show, everything else is real.
vi.mock('../topology/TopologyView', () => ({
  TopologyView: (p: {
    ariaLabel: string;
    edges: readonly { id: string }[];
    highlight?: { nodeIds: ReadonlySet<string>; edgeIds: ReadonlySet<string> };
    onSelectEdge?: (id: string) => void;
  }) => (
    <div
      role="img"
      aria-label={p.ariaLabel}
      data-testid="graph"
      data-path-nodes={[...(p.highlight?.nodeIds ?? [])].sort().join(' ')}
      data-path-edges={[...(p.highlight?.edgeIds ?? [])].sort().join(' ')}
    >
      {p.edges.map((e) => (
        <button key={e.id} type="button" onClick={() => p.onSelectEdge?.(e.id)}>
          edge {e.id}
        </button>
      ))}
    </div>
  ),
}));

const WEB = 'workload:shop/web';
const CART = 'workload:shop/cart';
const EDGE = `${WEB}->${CART}`;

function node(name: string) {
  return {
    id: `workload:shop/${name}`,
    namespace: 'shop',
    kind: 'workload' as const,
    name,
    successRate: 1,
    rps: 1,
    latencyMs: { p50: 5, p95: 20.7, p99: 40 },
    requests: { success: 60, failure: 0 },
    tcp: { openConnections: 1, readBytesPerSec: 0, writeBytesPerSec: 0 },
    meshed: { ready: 1, total: 1 },
    instances: 1,
    health: 'healthy' as const,
  };
}

const topology: TopologyResponse = {
  generatedAt: 1000,
  window: { from: 0, to: 60_000 },
  kind: 'workload',
  nodes: [node('web'), node('cart'), node('db')],
  edges: [
    {
      id: EDGE,
      source: WEB,
      target: CART,
      successRate: 1,
      rps: 1,
      latencyMs: { p50: 3, p95: 9, p99: 12 },
      requests: { success: 60, failure: 0 },
      tcp: { openConnections: 1, readBytesPerSec: 0, writeBytesPerSec: 0 },
      mtls: 'mtls',
    },
  ],
};

function summary(id: string, rootName: string, services: string[]): TraceSummary {
  return {
    traceId: id.repeat(32),
    rootService: 'web',
    rootName,
    startMs: 1_764_000_000_000,
    durationMs: 30,
    spanCount: 3,
    services,
    errorCount: 0,
  };
}

function span(spanId: string, service: string, parentSpanId?: string): Span {
  return {
    traceId: 'a'.repeat(32),
    spanId,
    ...(parentSpanId === undefined ? {} : { parentSpanId }),
    name: 'GET /',
    service,
    kind: 'server',
    startMs: 1_764_000_000_000,
    durationMs: 10,
    status: { code: 'unset' },
    attributes: {},
    events: [],
  };
}

function stubs(traces: TraceSummary[]) {
  const calls: QueryParams[] = [];
  return {
    calls,
    api: {
      topology: () => Promise.resolve(topology),
      namespaces: () => Promise.resolve({ generatedAt: 1, namespaces: [] }),
      status: () => Promise.reject(new Error('no status in this test')),
      traces: (q: QueryParams) => {
        calls.push(q);
        return Promise.resolve({ generatedAt: 1, traces });
      },
      trace: (id: string) =>
        Promise.resolve({
          generatedAt: 1,
          summary: summary('a', 'GET /checkout', ['cart', 'web']),
          trace: {
            traceId: id,
            spans: [span('1', 'web'), span('2', 'web', '1'), span('3', 'cart', '2')],
          },
        }),
    },
  };
}

describe('overview: traces of the selection and their path on the graph', () => {
  it('lists a node’s recent and slow traces for the page’s window; choosing one highlights its path', async () => {
    const user = userEvent.setup();
    const { api, calls } = stubs([summary('a', 'GET /checkout', ['cart', 'web'])]);
    const { router } = renderWithApp(
      `/namespaces/shop?sel=${encodeURIComponent(WEB)}&window=15m`,
      api,
    );
    const recent = await screen.findByTestId('selection-recent-traces');
    const trace = await within(recent).findByRole('button', { name: /GET \/checkout/ });
    expect(calls).toContainEqual({ service: 'web', limit: 8, window: '15m' });
    expect(calls).toContainEqual({ service: 'web', minDurationMs: 20, limit: 8, window: '15m' });
    expect(screen.getByText('Slow traces (≥ p95, 20 ms)')).toBeTruthy();

    await user.click(trace);
    expect(new URLSearchParams(router.state.location.search).get('trace')).toBe('a'.repeat(32));
    const banner = await screen.findByTestId('trace-path');
    expect(await within(banner).findByText(/2 resources, 1 calls highlighted/)).toBeTruthy();
    const graph = screen.getByTestId('graph');
    expect(graph.dataset.pathNodes).toBe(`${CART} ${WEB}`);
    expect(graph.dataset.pathEdges).toBe(EDGE);
    expect(within(banner).getByRole('link', { name: 'Open trace' }).getAttribute('href')).toBe(
      `/traces/${'a'.repeat(32)}`,
    );

    await user.click(within(banner).getByRole('button', { name: 'Clear path' }));
    expect(new URLSearchParams(router.state.location.search).get('trace')).toBeNull();
    expect(screen.getByTestId('graph').dataset.pathNodes).toBe('');
  });

  it('lists an edge’s traces (through both ends) for a pinned range, selected from the graph', async () => {
    const user = userEvent.setup();
    const { api, calls } = stubs([
      summary('b', 'GET /only-web', ['web']),
      summary('c', 'GET /cart', ['cart', 'web']),
    ]);
    const { router } = renderWithApp('/namespaces/shop?from=1000&to=5000', api);
    await user.click(await screen.findByRole('button', { name: `edge ${EDGE}` }));
    expect(new URLSearchParams(router.state.location.search).get('sel')).toBe(EDGE);
    expect(await screen.findByTestId('edge-detail')).toBeTruthy();
    const recent = screen.getByTestId('selection-recent-traces');
    expect(await within(recent).findByRole('button', { name: /GET \/cart/ })).toBeTruthy();
    expect(within(recent).queryByRole('button', { name: /GET \/only-web/ })).toBeNull();
    expect(calls).toContainEqual({ service: 'web', limit: 200, from: '1000', to: '5000' });
  });

  it('says so when the selection has no traces in the window', async () => {
    const { api } = stubs([]);
    renderWithApp(`/namespaces/shop?sel=${encodeURIComponent(CART)}`, api);
    const recent = await screen.findByTestId('selection-recent-traces');
    expect(await within(recent).findByText(/No traces through it in this time range/)).toBeTruthy();
  });
});

describe('resource page traces', () => {
  it('asks for the traces of the page’s time range', async () => {
    const { calls } = stubs([]);
    const traces = (q: QueryParams) => {
      calls.push(q);
      return Promise.resolve({ generatedAt: 1, traces: [] });
    };
    renderWithApp('/namespaces/shop/workload/web?tab=traces&window=15m', {
      traces,
      stat: () => Promise.reject(new Error('no stat in this test')),
      namespaces: () => Promise.resolve({ generatedAt: 1, namespaces: [] }),
      status: () => Promise.reject(new Error('no status in this test')),
    });
    expect(await screen.findByText(/No traces for this resource in this time range/)).toBeTruthy();
    expect(calls).toContainEqual({ service: 'web', limit: 10, window: '15m' });
  });
});
