import { describe, expect, it } from 'vitest';
import { backendOptions, parseHeaderFlags } from './backendConfig';
import { ConfigError, parseConfig } from './config';
import { parseFlags } from './flags';

describe('external backend options (config + flags)', () => {
  it('reads the same keys for prometheus and traces', () => {
    const cfg = parseConfig({
      prometheus: {
        url: 'https://mimir.example/prometheus',
        tenant: 'team-a',
        bearerTokenFile: '/var/run/secrets/mimir/token',
        headers: { 'X-Route': 'blue' },
        tls: { caFile: '/etc/ca.pem', certFile: '/etc/c.pem', keyFile: '/etc/k.pem' },
        timeout: '15s',
      },
      traces: {
        source: 'tempo',
        url: 'http://tempo:3200',
        basicAuth: { username: 'grafana', passwordFile: '/etc/tempo/password' },
      },
    });
    expect(backendOptions(cfg.prometheus, {})).toEqual({
      headers: { 'X-Route': 'blue' },
      tenant: 'team-a',
      bearerTokenFile: '/var/run/secrets/mimir/token',
      tls: { caFile: '/etc/ca.pem', certFile: '/etc/c.pem', keyFile: '/etc/k.pem' },
      timeoutMs: 15_000,
    });
    expect(backendOptions(cfg.traces, {})).toEqual({
      basicAuth: { username: 'grafana', passwordFile: '/etc/tempo/password' },
    });
  });

  it('lets flags win field by field; a flag token replaces basic auth', () => {
    const cfg = parseConfig({
      traces: {
        source: 'jaeger',
        url: 'http://jaeger:16686',
        tenant: 'a',
        headers: { 'X-A': '1' },
        basicAuth: { username: 'u', passwordFile: '/p' },
        tls: { certFile: '/c', keyFile: '/k' },
      },
    });
    expect(
      backendOptions(cfg.traces, {
        tenant: 'b',
        headers: { 'X-B': '2' },
        bearerTokenFile: '/t',
        caFile: '/ca',
        timeoutMs: 500,
      }),
    ).toEqual({
      headers: { 'X-A': '1', 'X-B': '2' },
      tenant: 'b',
      bearerTokenFile: '/t',
      tls: { certFile: '/c', keyFile: '/k', caFile: '/ca' },
      timeoutMs: 500,
    });
  });

  it('rejects headers the auth options own, half a client certificate, and bad flags', () => {
    expect(() =>
      parseConfig(
        {
          prometheus: {
            url: 'http://p:9090',
            headers: { Authorization: 'Bearer x' },
            tls: { certFile: '/c' },
          },
        },
        'bff.yaml',
      ),
    ).toThrow(
      new ConfigError(
        'bff.yaml: invalid BFF config:\n' +
          '  prometheus.headers: use tenant, bearerTokenFile or basicAuth instead of setting Authorization/X-Scope-OrgID here\n' +
          '  prometheus.tls: certFile and keyFile go together',
      ),
    );
    expect(parseHeaderFlags('traces-header', ['X-Org: a: b', 'X-B:c'])).toEqual({
      'X-Org': 'a: b',
      'X-B': 'c',
    });
    expect(() => parseHeaderFlags('traces-header', ['no colon'])).toThrow(
      '--traces-header: expected "Name: value", got "no colon"',
    );
    expect(() => parseHeaderFlags('prometheus-header', ['X-Scope-OrgID: a'])).toThrow(
      '--prometheus-header: use tenant, bearerTokenFile or basicAuth',
    );
    expect(() => parseFlags(['--traces-source', 'zipkin'], {})).toThrow('--traces-source:');
    expect(() => parseFlags(['--prometheus-timeout', 'soon'], {})).toThrow(
      '--prometheus-timeout: must be a duration like 10s or 1500ms',
    );
    expect(
      parseFlags(
        ['--traces-source', 'tempo', '--traces-url', 'http://tempo:3200', '--traces-timeout', '5s'],
        {},
      ),
    ).toMatchObject({ tracesSource: 'tempo', tracesUrl: 'http://tempo:3200', tracesTimeout: 5000 });
  });
});
