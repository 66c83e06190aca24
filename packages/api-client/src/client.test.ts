import type { TapEvent, TapInfo } from '@meshlens/contract';
import { describe, expect, it } from 'vitest';
import { buildQueryString, createApiClient } from './client';
import { ApiError } from './errors';

function fakeFetch(
  status: number,
  body: unknown,
  seen: { url: string; headers: Record<string, string> }[],
): typeof fetch {
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    seen.push({ url, headers: (init?.headers ?? {}) as Record<string, string> });
    return Promise.resolve(
      new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      }),
    );
  };
}

const namespaces = { generatedAt: 1, namespaces: [{ name: 'shop', workloads: 3 }] };

describe('api client', () => {
  it('prefixes the base URL, sends the token and parses responses', async () => {
    const seen: { url: string; headers: Record<string, string> }[] = [];
    const api = createApiClient({
      baseUrl: 'http://127.0.0.1:50750/meshlens/',
      token: 't0k3n',
      fetch: fakeFetch(200, namespaces, seen),
    });
    await expect(api.namespaces()).resolves.toEqual(namespaces);
    await api
      .stat({ kind: 'workload', namespace: 'a b', window: '5m', name: undefined })
      .catch(() => undefined);
    expect(seen.map((s) => s.url)).toEqual([
      'http://127.0.0.1:50750/meshlens/api/v1/namespaces',
      'http://127.0.0.1:50750/meshlens/api/v1/stat?kind=workload&namespace=a+b&window=5m',
    ]);
    expect(seen[0]?.headers.authorization).toBe('Bearer t0k3n');
  });

  it('rejects payloads that do not match the contract', async () => {
    const api = createApiClient({ baseUrl: '', fetch: fakeFetch(200, { nope: true }, []) });
    await expect(api.namespaces()).rejects.toBeInstanceOf(ApiError);
  });

  it('turns error bodies into ApiError with code and parameter', async () => {
    const body = {
      error: { code: 'invalid_parameter', message: 'parameter window: bad', parameter: 'window' },
    };
    const api = createApiClient({ baseUrl: '', fetch: fakeFetch(400, body, []) });
    const err = await api.stat({ window: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_parameter', parameter: 'window' });
  });

  it('reports an unreachable server, naming it when it is not the page origin', async () => {
    const fail = () => Promise.reject(new TypeError('Failed to fetch'));
    await expect(createApiClient({ baseUrl: '', fetch: fail }).status()).rejects.toMatchObject({
      status: 0,
      message: 'The dashboard server is unreachable',
    });
    await expect(
      createApiClient({ baseUrl: 'http://127.0.0.1:1', fetch: fail }).status(),
    ).rejects.toMatchObject({
      message: 'The dashboard server at http://127.0.0.1:1 is unreachable',
    });
  });

  it('gives up after its timeout', async () => {
    const hang: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error));
      });
    const api = createApiClient({ baseUrl: '', fetch: hang, timeoutMs: 50 });
    await expect(api.status()).rejects.toMatchObject({
      code: 'timeout',
      message: 'The dashboard did not answer within 50 ms',
    });
  });

  it('builds query strings without empty values', () => {
    expect(buildQueryString({ a: 'x', b: undefined, c: '', d: 3, e: true })).toBe(
      '?a=x&d=3&e=true',
    );
    expect(buildQueryString({})).toBe('');
  });

  it('reads a tap stream into typed events, skipping what the contract does not know', async () => {
    const info: TapInfo = { generatedAt: 1, proxies: [], perProxyMaxRps: 5, errors: [] };
    const end = { type: 'end', id: 'a/1', ts: 2, status: 200, durationMs: 3, responseBytes: 4 };
    const text =
      `event: info\ndata: ${JSON.stringify(info)}\n\n: ping\n\n` +
      `event: tap\ndata: ${JSON.stringify(end)}\n\n` +
      `event: tap\ndata: {"type":"start"}\n\n` +
      `event: tap-error\ndata: {"pod":"p","message":"proxy answered 403"}\n\n`;
    // split mid-frame, as a network would
    const chunks = [text.slice(0, 40), text.slice(40)].map((c) => new TextEncoder().encode(c));
    const stream = new ReadableStream<Uint8Array>({
      start(ctl) {
        for (const c of chunks) ctl.enqueue(c);
        ctl.close();
      },
    });
    const seen: string[] = [];
    const fetchTap: typeof fetch = (input) => {
      seen.push(typeof input === 'string' ? input : '');
      return Promise.resolve(new Response(stream, { status: 200 }));
    };
    const api = createApiClient({ baseUrl: '/x', fetch: fetchTap });
    const events: TapEvent[] = [];
    const infos: TapInfo[] = [];
    const errors: { pod: string; message: string }[] = [];
    await api.tap(
      { kind: 'workload', namespace: 'shop', name: 'web', path: '/api' },
      {
        onEvent: (e) => events.push(e),
        onInfo: (i) => infos.push(i),
        onProxyError: (e) => errors.push(e),
      },
    );
    expect(seen).toEqual(['/x/api/v1/tap?kind=workload&namespace=shop&name=web&path=%2Fapi']);
    expect(infos).toEqual([info]);
    expect(events).toEqual([end]);
    expect(errors).toEqual([{ pod: 'p', message: 'proxy answered 403' }]);
  });
});
