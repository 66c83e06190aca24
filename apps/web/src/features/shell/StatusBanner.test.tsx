import type { StatusResponse } from '@meshlens/contract';
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { StatusBannerView, staleReason } from './StatusBanner';

function status(over: Partial<StatusResponse> = {}): StatusResponse {
  return {
    generatedAt: 10_000,
    version: '0.1.0',
    source: { kind: 'embedded', healthy: true, lastTickMs: 9000, lastError: null },
    stale: false,
    errors: [],
    traces: { traces: 0, spans: 0, bytes: 0 },
    ...over,
  };
}

describe('status banner', () => {
  it('shows nothing when data is fresh', () => {
    const { container } = render(
      <StatusBannerView status={status()} error={undefined} lastSuccessMs={9000} now={10_000} />,
    );
    expect(container.textContent).toBe('');
  });

  it('names the reason when the source is stale', () => {
    const s = status({
      stale: true,
      source: {
        kind: 'embedded',
        healthy: false,
        lastTickMs: 4000,
        lastError: 'all targets down',
        targets: { up: 0, down: 3, total: 3 },
      },
    });
    expect(staleReason(s)).toBe('all targets down; 3 of 3 scrape targets down');
    render(<StatusBannerView status={s} error={undefined} lastSuccessMs={9000} now={10_000} />);
    expect(screen.getByTestId('stale-notice').textContent).toContain('last update 6s ago');
  });

  it('names a reason repeated in errors[] once', () => {
    const s = status({
      stale: true,
      source: { kind: 'fixture', healthy: false, lastTickMs: 1, lastError: 'source is down' },
      errors: [
        { component: 'source:fixture', message: 'source is down' },
        { component: 'traces', message: 'store full' },
      ],
    });
    expect(staleReason(s)).toBe('source is down; traces: store full');
  });

  it('says the server is unreachable when requests fail', () => {
    render(
      <StatusBannerView
        status={status()}
        error={new Error('Failed to fetch')}
        lastSuccessMs={4000}
        now={10_000}
      />,
    );
    const text = screen.getByTestId('stale-notice').textContent ?? '';
    expect(text).toContain('not answering (Failed to fetch)');
    expect(text).toContain('6s ago');
  });
});
