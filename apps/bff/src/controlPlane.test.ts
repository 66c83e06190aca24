import { ControlPlaneError } from '@meshlens/cp-client';
import { describe, expect, it } from 'vitest';
import { createControlPlaneView } from './controlPlane';

describe('control plane view', () => {
  it('says the dashboard was refused, and what to do, when the control plane wants a token', async () => {
    const view = createControlPlaneView({
      url: 'http://127.0.0.1:50760',
      now: () => 1000,
      client: {
        status: () => Promise.resolve({ version: '0.1.0' }),
        listEndpoints: () =>
          Promise.reject(
            new ControlPlaneError(
              'a workload token is required (Authorization: Bearer <token>)',
              401,
            ),
          ),
      },
    });
    const r = await view();
    expect(r).toMatchObject({ configured: true, reachable: false, proxies: [] });
    expect(r.error).toBe(
      'control plane refused the dashboard (HTTP 401): a workload token is required ' +
        '(Authorization: Bearer <token>); give the dashboard its own token with --control-plane-token-file',
    );
  });
});
