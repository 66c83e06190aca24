import { render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import type { ViewEdge, ViewNode } from '../topology/aggregate';
import { EdgeDetail } from './EdgeDetail';

const signals = {
  latencyMs: { p50: 5, p95: 20, p99: 40 },
  tcp: { openConnections: 0, readBytesPerSec: 0, writeBytesPerSec: 0 },
};

function end(name: string): ViewNode {
  return {
    id: `service:shop/${name}`,
    namespace: 'shop',
    kind: 'service',
    name,
    successRate: 1,
    rps: 1,
    requests: { success: 60, failure: 0 },
    meshed: { total: 1 },
    instances: 1,
    ...signals,
  };
}

const web = end('web');
const reviews = end('reviews');
const edge: ViewEdge = {
  id: `${web.id}->${reviews.id}`,
  source: web.id,
  target: reviews.id,
  successRate: 0.9,
  rps: 2,
  requests: { success: 108, failure: 12 },
  mtls: 'mtls',
  latencyOf: 'max',
  ...signals,
};

const route = (rule: string, rps: number) => ({
  route: 'reviews',
  rule,
  successRate: 1,
  rps,
  latencyMs: { p50: 4, p95: 9, p99: 12 },
  requests: { success: rps * 60, failure: 0 },
  tcp: signals.tcp,
});

function show(routes: Parameters<typeof EdgeDetail>[0]['routes']) {
  render(
    <MemoryRouter>
      <EdgeDetail
        edge={edge}
        source={web}
        target={reviews}
        hrefOf={(n) => `/namespaces/shop/service/${n.name}`}
        onClose={() => undefined}
        trend={[
          { rps: 1, successRate: 1, p99: 30 },
          { rps: 2, successRate: 0.9, p99: 40 },
        ]}
        routes={routes}
      />
    </MemoryRouter>,
  );
}

describe('edge side panel', () => {
  it('shows recorded trends, the busiest routes first, and links to both ends', () => {
    show({
      data: {
        generatedAt: 0,
        window: { from: 0, to: 60_000 },
        service: { namespace: 'shop', name: 'reviews' },
        routes: [route('0', 0.1), route('1', 1.9)],
      },
      error: undefined,
    });
    const list = screen.getByRole('list', { name: 'Top routes' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['reviews #1 1.9 rps · 100% · p99 12ms', 'reviews #0 0.1 rps · 100% · p99 12ms']);
    expect(screen.getByRole('img', { name: 'RPS trend' }).querySelector('path')).not.toBeNull();
    expect(screen.getByText(/recorded while this edge is selected/)).toBeTruthy();
    expect(screen.getByText('Max of P50 / P95 / P99')).toBeTruthy();
    expect(screen.getAllByRole('link').map((a) => a.getAttribute('href'))).toEqual([
      '/namespaces/shop/service/web',
      '/namespaces/shop/service/reviews',
    ]);
  });

  it('says why routes are missing', () => {
    show({ data: undefined, error: 'service "reviews" not found' });
    expect(screen.getByText('Routes unavailable: service "reviews" not found')).toBeTruthy();
  });
});
