import { describe, expect, it } from 'vitest';
import {
  parseQuery,
  resolveTimeRange,
  statQuerySchema,
  timeseriesQuerySchema,
  toSearchParams,
  tracesQuerySchema,
} from './query';
import { classifyHealth, resourceId } from './common';

describe('parseQuery', () => {
  it('defaults kind and window', () => {
    expect(parseQuery(statQuerySchema, new URLSearchParams(''))).toEqual({
      ok: true,
      value: { kind: 'workload', window: '1m' },
    });
  });

  it('accepts absolute ranges as numbers from strings', () => {
    const r = parseQuery(statQuerySchema, { kind: 'service', from: '1000', to: '61000' });
    expect(r).toEqual({ ok: true, value: { kind: 'service', from: 1000, to: 61000 } });
  });

  it('names the bad parameter', () => {
    expect(parseQuery(statQuerySchema, { window: '2m' })).toEqual({
      ok: false,
      error: {
        parameter: 'window',
        message: 'parameter window: must be one of 10s, 1m, 5m, 15m, 1h',
      },
    });
    expect(parseQuery(statQuerySchema, { kind: 'deployment' })).toMatchObject({
      ok: false,
      error: { parameter: 'kind' },
    });
    expect(parseQuery(statQuerySchema, { from: 'yesterday' })).toMatchObject({
      ok: false,
      error: { parameter: 'from' },
    });
    expect(parseQuery(statQuerySchema, { from: '5000', to: '1000' })).toMatchObject({
      ok: false,
      error: { parameter: 'to', message: 'parameter to: must be after from' },
    });
    expect(parseQuery(statQuerySchema, { window: '1m', from: '1000' })).toMatchObject({
      ok: false,
      error: { parameter: 'from' },
    });
  });

  it('rejects a repeated parameter', () => {
    expect(parseQuery(statQuerySchema, new URLSearchParams('kind=pod&kind=service'))).toEqual({
      ok: false,
      error: { parameter: 'kind', message: 'parameter kind given more than once' },
    });
  });

  it('requires a namespace for non-namespace time series and parses steps', () => {
    expect(parseQuery(timeseriesQuerySchema, { kind: 'workload', name: 'web' })).toEqual({
      ok: false,
      error: {
        parameter: 'namespace',
        message: 'parameter namespace: is required for kind workload',
      },
    });
    expect(
      parseQuery(timeseriesQuerySchema, { kind: 'namespace', name: 'shop', step: '15s' }),
    ).toEqual({
      ok: true,
      value: { kind: 'namespace', name: 'shop', namespace: 'shop', step: 15000, window: '1m' },
    });
    expect(parseQuery(timeseriesQuerySchema, { kind: 'pod', namespace: 'a' })).toEqual({
      ok: false,
      error: { parameter: 'name', message: 'parameter name: is required' },
    });
  });

  it('parses trace searches', () => {
    expect(
      parseQuery(tracesQuerySchema, { error: 'true', minDurationMs: '12.5', limit: '5' }),
    ).toEqual({
      ok: true,
      value: { error: true, minDurationMs: 12.5, limit: 5 },
    });
    expect(parseQuery(tracesQuerySchema, { limit: '0' })).toMatchObject({
      ok: false,
      error: { parameter: 'limit' },
    });
  });
});

describe('helpers', () => {
  it('resolves time ranges', () => {
    expect(resolveTimeRange({ window: '5m' }, 1_000_000)).toEqual({ from: 700_000, to: 1_000_000 });
    expect(resolveTimeRange({ from: 10 }, 100)).toEqual({ from: 10, to: 100 });
  });

  it('builds stable query strings', () => {
    expect(toSearchParams({ window: '1m', kind: 'pod', from: undefined }).toString()).toBe(
      'kind=pod&window=1m',
    );
  });

  it('classifies health like Linkerd', () => {
    expect(classifyHealth(null, 0)).toBe('idle');
    expect(classifyHealth(0.89, 1)).toBe('failing');
    expect(classifyHealth(0.94, 1)).toBe('warning');
    expect(classifyHealth(0.95, 1)).toBe('healthy');
  });

  it('makes ids hostile names cannot collide', () => {
    expect(resourceId({ kind: 'workload', namespace: 'a/b', name: 'c' })).not.toBe(
      resourceId({ kind: 'workload', namespace: 'a', name: 'b/c' }),
    );
  });
});

describe('trace search filters', () => {
  it('parses operation, max duration and JSON tags, and round-trips them through the URL', () => {
    const parsed = parseQuery(tracesQuerySchema, {
      operation: 'GET /cart',
      maxDurationMs: '250',
      tags: '{"http.status_code":500,"error":true,"a":"x"}',
    });
    expect(parsed).toEqual({
      ok: true,
      value: {
        operation: 'GET /cart',
        maxDurationMs: 250,
        tags: { 'http.status_code': '500', error: 'true', a: 'x' },
        limit: 20,
      },
    });
    if (!parsed.ok) return;
    const url = toSearchParams(parsed.value);
    expect(url.get('tags')).toBe('{"a":"x","error":"true","http.status_code":"500"}');
    expect(parseQuery(tracesQuerySchema, url)).toEqual(parsed);
  });

  it('names the tags parameter when it is not a JSON object of values', () => {
    for (const tags of ['error=true', '["a"]', '{"a":{"b":1}}']) {
      const r = parseQuery(tracesQuerySchema, { tags });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.parameter).toBe('tags');
    }
  });
});
