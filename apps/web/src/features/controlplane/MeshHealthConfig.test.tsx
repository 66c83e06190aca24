import type { ConfigObject, ControlPlaneResponse } from '@meshlens/contract';
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithApp } from '../../testing/renderWithApp';

const HOSTILE = '<img src=x onerror=alert(1)>';

const cp = (configObjects?: ConfigObject[]): ControlPlaneResponse => ({
  generatedAt: 1000,
  configured: true,
  reachable: true,
  url: 'http://meshlens-control-plane.meshlens:50760',
  error: null,
  proxies: [],
  status: {
    version: '0.1.0',
    configVersion: 'abc',
    lastConfigError: null,
    endpoints: 3,
    watchers: 2,
    certsIssued: 1,
    earliestCertExpiry: null,
    caExpiry: null,
    ...(configObjects ? { configObjects } : {}),
  },
});

describe('Mesh health: configuration objects', () => {
  it('lists every object with its verdict, rejected first, reasons as text', async () => {
    renderWithApp('/controlplane?tab=config', {
      controlPlane: () =>
        Promise.resolve(
          cp([
            {
              kind: 'HTTPRoute',
              namespace: 'shop',
              name: 'reviews',
              source: 'kubernetes',
              accepted: true,
              resolvedRefs: true,
              reasons: [],
            },
            {
              kind: 'HTTPRoute',
              namespace: 'shop',
              name: HOSTILE,
              source: 'kubernetes',
              accepted: false,
              reasons: ['spec.rules[0].matches[0]: Unrecognized key: "queryParams"'],
            },
            {
              kind: 'HTTPRoute',
              namespace: 'shop',
              name: 'to-nowhere',
              source: 'kubernetes',
              accepted: true,
              resolvedRefs: false,
              reasons: ['backendRefs: Service shop/echo-v3 not found'],
            },
          ]),
        ),
    });
    const summary = await screen.findByTestId('config-summary', {}, { timeout: 10_000 });
    expect(summary.textContent).toBe('3 object(s), 1 rejected');
    const rows = within(screen.getByTestId('config-objects-table')).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0]?.textContent?.trim())).toEqual([
      'Rejected',
      'Unresolved refs',
      'Accepted',
    ]);
    expect(rows[0]?.textContent).toContain(`HTTPRoute shop/${HOSTILE}`);
    expect(rows[0]?.textContent).toContain('Unrecognized key: "queryParams"');
    expect(document.querySelector('img')).toBeNull();
  });

  it('explains that directory mode validates the whole set', async () => {
    renderWithApp('/controlplane?tab=config', { controlPlane: () => Promise.resolve(cp()) });
    expect(
      await screen.findByText(
        /Per-object status comes with Kubernetes mode/,
        {},
        { timeout: 10_000 },
      ),
    ).toBeTruthy();
  });
});
