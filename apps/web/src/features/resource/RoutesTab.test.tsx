import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithApp } from '../../testing/renderWithApp';

const signals = (rps: number, successRate: number) => ({
  successRate,
  rps,
  latencyMs: { p50: 10, p95: 20, p99: 40 },
  requests: { success: rps * 60 * successRate, failure: rps * 60 * (1 - successRate) },
  tcp: { openConnections: 0, readBytesPerSec: 0, writeBytesPerSec: 0 },
});

describe('Routes tab', () => {
  it("lists a service's routes per rule, `default` rule shown as a dash", async () => {
    const asked: unknown[] = [];
    renderWithApp('/namespaces/shop/service/reviews?tab=routes&window=5m', {
      routes: (q) => {
        asked.push(q);
        return Promise.resolve({
          generatedAt: 1,
          window: { from: 0, to: 300_000 },
          service: { namespace: 'shop', name: 'reviews' },
          routes: [
            { route: 'reviews', rule: '1', ...signals(9, 1) },
            { route: 'reviews', rule: '0', ...signals(1, 0.5) },
            { route: 'default', rule: '', ...signals(0.2, 1) },
          ],
        });
      },
      stat: () => Promise.reject(new Error('not needed')),
      status: () => Promise.reject(new Error('not needed')),
    });
    const table = await screen.findByTestId('routes-table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(
      rows.map((r) =>
        within(r)
          .getAllByRole('cell')
          .map((c) => c.textContent),
      ),
    ).toEqual([
      ['reviews', '1', '100%', '9', '10ms', '40ms'],
      ['reviews', '0', '50.00%', '1', '10ms', '40ms'],
      ['default', '—', '100%', '0.2', '10ms', '40ms'],
    ]);
    expect(asked).toEqual([{ namespace: 'shop', name: 'reviews', window: '5m' }]);
  });

  it('explains that routes belong to services on a workload page', async () => {
    renderWithApp('/namespaces/shop/workload/reviews-v1?tab=routes', {
      stat: () => Promise.reject(new Error('not needed')),
      status: () => Promise.reject(new Error('not needed')),
    });
    expect(await screen.findByText('Routes belong to services')).toBeTruthy();
  });
});
