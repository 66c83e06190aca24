import type { ProcessesResponse, StatusResponse, TargetsResponse } from '@meshlens/contract';
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithApp } from '../../testing/renderWithApp';

const NOW = Date.now();
const HOSTILE = 'edge shop/web -> workload shop/<img src=x onerror=alert(1)>';

const targets: TargetsResponse = {
  generatedAt: NOW,
  targets: [
    {
      url: 'http://127.0.0.1:4191/metrics',
      labels: { pod: 'batch-0' },
      health: 'up',
      lastError: null,
      lastScrapeMs: NOW,
      durationMs: 3,
      series: 120,
      dialect: 'linkerd',
      capped: `resource limit: this target reports more than 1,000 resources and edges (a label with a new value every scrape?); 1 new ones dropped, e.g. ${HOSTILE}`,
    },
    {
      url: 'http://127.0.0.1:4192/metrics',
      labels: { pod: 'web-0' },
      health: 'up',
      lastError: null,
      lastScrapeMs: NOW,
      durationMs: 3,
      series: 40,
      dialect: 'linkerd',
      capped: null,
    },
  ],
};

const processes: ProcessesResponse = {
  generatedAt: NOW,
  supervised: true,
  error: null,
  updatedAtMs: NOW,
  processes: [
    {
      name: 'proxy-catalog-1',
      state: 'running',
      pid: 42,
      restarts: 2,
      startedAtMs: NOW - 5000,
      lastExit: { code: null, signal: 'SIGKILL', atMs: NOW - 6000 },
    },
    {
      name: 'dashboard',
      state: 'running',
      pid: 41,
      restarts: 0,
      startedAtMs: NOW - 60_000,
      lastExit: null,
    },
  ],
};

const status: StatusResponse = {
  generatedAt: NOW,
  version: '0.1.0',
  source: { kind: 'embedded', healthy: true, lastTickMs: NOW, lastError: null },
  stale: false,
  errors: [],
  traces: { traces: 0, spans: 0, bytes: 0 },
};

const api = {
  targets: () => Promise.resolve(targets),
  processes: () => Promise.resolve(processes),
  status: () => Promise.resolve(status),
  controlPlane: () => Promise.reject(new Error('no control plane here')),
};

describe('mesh health: caps and restarts', () => {
  it('marks a capped target and shows its reason as text', async () => {
    renderWithApp('/controlplane', api);
    const table = await screen.findByTestId('targets-table');
    const row = within(table).getByText('http://127.0.0.1:4191/metrics').closest('tr');
    expect(row).not.toBeNull();
    const cells = within(row as HTMLElement);
    expect(cells.getByText('capped')).toBeDefined();
    // the hostile destination name is text, never markup
    expect(row?.textContent).toContain(HOSTILE);
    expect(row?.querySelector('img')).toBeNull();
    const other = within(table).getByText('http://127.0.0.1:4192/metrics').closest('tr');
    expect(other?.textContent).not.toContain('capped');
  });

  it('counts restarts and lists the supervised processes on their own tab', async () => {
    renderWithApp('/controlplane?tab=processes', api);
    expect((await screen.findByTestId('process-restarts')).textContent).toBe('2');
    const table = await screen.findByTestId('processes-table');
    const rows = [...table.querySelectorAll('tbody tr')].map((r) =>
      [...r.querySelectorAll('td')].map((td) => td.textContent),
    );
    expect(rows[0]?.slice(0, 3)).toEqual(['proxy-catalog-1', 'running', '2']);
    expect(rows[0]?.[3]).toMatch(/^SIGKILL \d+s ago$/);
    expect(rows[1]?.slice(0, 4)).toEqual(['dashboard', 'running', '0', '']);
    expect(screen.getByRole('tab', { name: 'Processes (2 restarts)' })).toBeDefined();
  });
});
