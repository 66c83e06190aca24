import { describe, expect, it } from 'vitest';
import { ApiError, buildQueryString, createApiClient } from './client';

function fakeFetch(status: number, body: unknown, seen: string[]): typeof fetch {
  return (input) => {
    seen.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
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
  it('prefixes the base path and parses responses', async () => {
    const seen: string[] = [];
    const api = createApiClient({ basePath: '/meshlens', fetch: fakeFetch(200, namespaces, seen) });
    await expect(api.namespaces()).resolves.toEqual(namespaces);
    await api
      .stat({ kind: 'workload', namespace: 'a b', window: '5m', name: undefined })
      .catch(() => undefined);
    expect(seen).toEqual([
      '/meshlens/api/v1/namespaces',
      '/meshlens/api/v1/stat?kind=workload&namespace=a+b&window=5m',
    ]);
  });

  it('rejects payloads that do not match the contract', async () => {
    const api = createApiClient({ basePath: '/', fetch: fakeFetch(200, { nope: true }, []) });
    await expect(api.namespaces()).rejects.toBeInstanceOf(ApiError);
  });

  it('turns error bodies into ApiError with code and parameter', async () => {
    const body = {
      error: { code: 'invalid_parameter', message: 'parameter window: bad', parameter: 'window' },
    };
    const api = createApiClient({ basePath: '/', fetch: fakeFetch(400, body, []) });
    const err = await api.stat({ window: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_parameter', parameter: 'window' });
  });

  it('reports an unreachable server', async () => {
    const api = createApiClient({
      basePath: '/',
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
    });
    await expect(api.status()).rejects.toMatchObject({
      status: 0,
      message: 'The dashboard server is unreachable',
    });
  });

  it('builds query strings without empty values', () => {
    expect(buildQueryString({ a: 'x', b: undefined, c: '', d: 3, e: true })).toBe(
      '?a=x&d=3&e=true',
    );
    expect(buildQueryString({})).toBe('');
  });
});
