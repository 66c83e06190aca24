import type { TopologyResponse } from '@meshlens/contract';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/client';
import { renderWithApp } from '../../testing/renderWithApp';

// jsdom has no canvas: the graph is replaced, everything else is real.
vi.mock('../topology/TopologyView', () => ({
  TopologyView: (p: { ariaLabel: string }) => <div role="img" aria-label={p.ariaLabel} />,
}));

const HOSTILE = '<img src=x onerror=alert(1)>';

function node(name: string, rps: number, successRate: number | null) {
  return {
    id: `workload:shop/${encodeURIComponent(name)}`,
    namespace: 'shop',
    kind: 'workload' as const,
    name,
    successRate,
    rps,
    latencyMs: { p50: 5, p95: 20, p99: 40 },
    requests: { success: rps * 60, failure: 0 },
    tcp: { openConnections: 2, readBytesPerSec: 0, writeBytesPerSec: 0 },
    meshed: { ready: 2, total: 2 },
    instances: 2,
  };
}

const topology: TopologyResponse = {
  generatedAt: 1000,
  window: { from: 0, to: 60_000 },
  kind: 'workload',
  nodes: [node('web', 10, 0.999), node(HOSTILE, 2.5, 0.5), node('idle', 0, null)],
  edges: [],
};

const namespaces = () =>
  Promise.resolve({ generatedAt: 1, namespaces: [{ name: 'shop', workloads: 3 }] });
const status = () => Promise.reject(new Error('no status in this test'));

describe('OverviewPage', () => {
  it('renders the golden signals with hostile names as text, sorted by rps', async () => {
    const alert = vi.spyOn(window, 'alert').mockImplementation(() => undefined);
    renderWithApp('/namespaces/shop', {
      topology: () => Promise.resolve(topology),
      namespaces,
      status,
    });
    const table = await screen.findByTestId('golden-signals');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0]?.textContent)).toEqual([
      'web',
      HOSTILE,
      'idle',
    ]);
    expect(within(rows[1] as HTMLElement).getByText('50.00%')).toBeTruthy();
    expect(table.querySelector('img')).toBeNull();
    expect(alert).not.toHaveBeenCalled();
  });

  it('filters rows through the URL', async () => {
    const user = userEvent.setup();
    const { router } = renderWithApp('/namespaces/shop', {
      topology: () => Promise.resolve(topology),
      namespaces,
      status,
    });
    await screen.findByTestId('golden-signals');
    await user.type(screen.getByRole('searchbox', { name: 'Filter by name' }), 'we');
    expect(router.state.location.search).toBe('?q=we');
    const rows = within(screen.getByTestId('golden-signals')).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(1);
  });

  it('shows how to send traffic when the mesh is empty', async () => {
    renderWithApp('/', {
      topology: () => Promise.resolve({ ...topology, nodes: [] }),
      namespaces,
      status,
    });
    expect(await screen.findByText(/No traffic yet/)).toBeTruthy();
  });

  it('shows the error with its reason', async () => {
    renderWithApp('/?window=1h', {
      topology: () =>
        Promise.reject(new ApiError('parameter window: bad', 400, 'invalid_parameter', 'window')),
      namespaces,
      status,
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('parameter window: bad (parameter window) [HTTP 400]');
  });
});
