import { describe, expect, it } from 'vitest';
import { tapQuery } from '../tapOptions';
import { formatTapLine } from './tap';

const flags = { bffUrl: 'http://127.0.0.1:50750' };

describe('meshlens tap', () => {
  it('turns the resource and flags into the dashboard query', () => {
    expect(
      tapQuery('deploy/web', {
        ...flags,
        namespace: 'shop',
        path: '/api',
        method: 'GET',
        to: 'deploy/checkout',
        maxRps: '10',
      }),
    ).toEqual({
      kind: 'workload',
      name: 'web',
      namespace: 'shop',
      path: '/api',
      method: 'GET',
      toWorkload: 'checkout',
      maxRps: '10',
    });
    expect(tapQuery('ns/shop', flags)).toEqual({
      kind: 'namespace',
      name: 'shop',
      namespace: 'shop',
    });
    expect(() => tapQuery('rs/web', flags)).toThrow(
      'RESOURCE must look like deploy/NAME, svc/NAME, po/NAME or ns/NAME, got "rs/web"',
    );
  });

  it('prints events as lines with control characters from the network neutralised', () => {
    const line = formatTapLine(
      {
        type: 'start',
        id: 'web-0/1',
        ts: 1,
        proxy: { namespace: 'shop', workload: 'web', pod: 'web-0' },
        direction: 'outbound',
        method: 'GET',
        scheme: 'http',
        authority: 'catalog.shop',
        path: '/api/\u001b[31mred',
        src: { namespace: 'shop', workload: 'web' },
        dst: { namespace: 'shop', service: 'catalog' },
        tls: true,
      },
      false,
    );
    expect(line).toBe(
      'req id=web-0/1 proxy=out src=shop/web dst=shop/catalog tls=true :method=GET :authority=catalog.shop :path=/api/?[31mred',
    );
    expect(
      formatTapLine(
        {
          type: 'end',
          id: 'p/2',
          ts: 1,
          status: 403,
          durationMs: 2.25,
          responseBytes: 40,
          error: 'forbidden',
          reason: 'forbidden: not allowed',
        },
        false,
      ),
    ).toBe(
      'end id=p/2 :status=403 duration=2.3ms response-length=40B error=forbidden: not allowed',
    );
  });
});
