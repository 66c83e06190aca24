import type { TapEvent } from '@meshlens/contract';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ApiClient, QueryParams } from '../../api/client';
import type { TapHandlers } from '@meshlens/api-client';
import { renderWithApp } from '../../testing/renderWithApp';

const HOSTILE = '/<img src=x onerror=alert(1)>';

function start(id: string, path: string): TapEvent {
  return {
    type: 'start',
    id,
    ts: 1_764_000_000_000,
    proxy: { namespace: 'shop', workload: 'web', pod: 'web-0' },
    direction: 'outbound',
    method: 'GET',
    scheme: 'http',
    authority: 'catalog.shop',
    path,
    src: { namespace: 'shop', workload: 'web' },
    dst: { namespace: 'shop', service: 'catalog' },
    tls: true,
    headers: { authorization: '[redacted]', 'x-request': 'one' },
  };
}

/** A tap that sends the given events, then stays open until aborted (as the BFF would). */
function fakeTap(events: TapEvent[], seen: QueryParams[]): ApiClient['tap'] {
  return (q, handlers: TapHandlers, signal) => {
    seen.push(q);
    handlers.onInfo?.({
      generatedAt: 1,
      proxies: [{ pod: 'web-0', namespace: 'shop', workload: 'web' }],
      perProxyMaxRps: 100,
      errors: [],
    });
    for (const e of events) handlers.onEvent(e);
    return new Promise((resolve) => signal?.addEventListener('abort', () => resolve()));
  };
}

const stat = () =>
  Promise.resolve({
    generatedAt: 1,
    window: { from: 0, to: 1 },
    kind: 'workload' as const,
    rows: [],
  });

describe('Live calls', () => {
  it('streams calls newest first, renders network strings as text and opens a detail panel', async () => {
    const alert = vi.spyOn(window, 'alert').mockImplementation(() => undefined);
    const seen: QueryParams[] = [];
    const events: TapEvent[] = [
      start('web-0/1', '/api/items'),
      {
        type: 'headers',
        id: 'web-0/1',
        ts: 2,
        status: 200,
        sinceStartMs: 3,
        dst: { namespace: 'shop', workload: 'catalog' },
      },
      { type: 'end', id: 'web-0/1', ts: 3, status: 200, durationMs: 4.5, responseBytes: 10 },
      start('web-0/2', HOSTILE),
      { type: 'dropped', ts: 4, count: 7, reason: 'rate', pod: 'web-0' },
    ];
    const { router } = renderWithApp('/namespaces/shop/workload/web?tab=live&tapPath=%2Fapi', {
      stat,
      tap: fakeTap(events, seen),
    });
    const rows = await screen.findAllByTestId('tap-row', {}, { timeout: 20_000 });
    expect(rows.map((r) => within(r).getAllByRole('cell')[3]?.textContent)).toEqual([
      HOSTILE,
      '/api/items',
    ]);
    expect(document.querySelector('img')).toBeNull();
    expect(alert).not.toHaveBeenCalled();
    expect(seen[0]).toMatchObject({
      kind: 'workload',
      namespace: 'shop',
      name: 'web',
      path: '/api',
    });
    expect(screen.getByTestId('tap-dropped').textContent).toContain('7 events dropped');
    await userEvent.click(rows[1]!);
    const detail = screen.getByTestId('tap-detail');
    expect(within(detail).getByText('shop/catalog')).toBeTruthy();
    expect(within(detail).getByText('4.5 ms')).toBeTruthy();
    expect(within(detail).getByText('[redacted]')).toBeTruthy();
    // pause closes the stream; the filters stay in the URL
    await userEvent.click(screen.getByRole('button', { name: 'Pause calls' }));
    await waitFor(() => expect(screen.getByTestId('tap-status').textContent).toBe('paused'));
    expect(router.state.location.search).toBe('?tab=live&tapPath=%2Fapi');
  }, 30_000);

  it('the top view aggregates by path and peer, and its choice is in the URL', async () => {
    const events: TapEvent[] = [
      start('a/1', '/api/items?x=1'),
      { type: 'end', id: 'a/1', ts: 3, status: 200, durationMs: 4, responseBytes: 1 },
      start('a/2', '/api/items?x=2'),
      { type: 'end', id: 'a/2', ts: 3, status: 503, durationMs: 8, responseBytes: 1 },
    ];
    const { router } = renderWithApp('/tap?kind=workload&namespace=shop&name=web', {
      tap: fakeTap(events, []),
    });
    await screen.findAllByTestId('tap-row', {}, { timeout: 20_000 });
    await userEvent.click(screen.getByRole('button', { name: 'Top' }));
    const top = await screen.findByTestId('tap-top');
    const cells = within(top)
      .getAllByRole('cell')
      .map((c) => c.textContent);
    expect(cells.slice(0, 6)).toEqual(['to', 'shop/catalog', 'GET', '/api/items', '2', '50%']);
    expect(router.state.location.search).toBe('?kind=workload&namespace=shop&name=web&tapView=top');
  }, 30_000);
});
