import { describe, expect, it } from 'vitest';
import { endToEnd } from './headers';

describe('endToEnd', () => {
  it('drops hop-by-hop headers and pseudo-headers, keeps the rest', () => {
    expect(
      endToEnd({
        ':path': '/x',
        connection: 'keep-alive',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        'content-type': 'application/json',
        'set-cookie': ['a=1', 'b=2'],
      }),
    ).toEqual({ 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
  });

  it('drops the headers a Connection value names, in any case and spacing', () => {
    const headers = { 'x-hop': '1', 'x-other-hop': '2', close: '3', 'x-kept': '4' };
    expect(endToEnd({ connection: 'Keep-Alive, X-Hop ,x-other-hop', ...headers })).toEqual({
      close: '3',
      'x-kept': '4',
    });
    expect(endToEnd({ connection: 'Close', ...headers })).toEqual({
      'x-hop': '1',
      'x-other-hop': '2',
      'x-kept': '4',
    });
    expect(endToEnd({ connection: 'KEEP-ALIVE', ...headers })).toEqual(headers);
  });
});
