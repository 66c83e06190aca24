import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, staticTargets } from './config';

describe('BFF config', () => {
  it('parses scrape settings and static targets like Prometheus static_configs', () => {
    const cfg = parseConfig({
      scrape: {
        interval: '10s',
        timeout: 2500,
        bodyLimitBytes: 1048576,
        staticConfigs: [
          {
            targets: ['127.0.0.1:4191', 'https://x.example/metrics'],
            labels: { namespace: 'shop', deployment: 'web' },
          },
          { targets: ['10.0.0.1:15020'], scheme: 'http', metricsPath: '/stats/prometheus' },
        ],
        kubernetes: { enabled: true, namespaces: ['shop'] },
      },
      retention: '1h',
      server: { allowedHosts: ['meshlens.example.com'], basePath: '/meshlens/' },
    });
    expect(cfg.scrape.interval).toBe(10_000);
    expect(cfg.scrape.timeout).toBe(2500);
    expect(cfg.retention).toBe(3_600_000);
    expect(cfg.server.basePath).toBe('/meshlens');
    expect(staticTargets(cfg)).toEqual([
      { url: 'http://127.0.0.1:4191/metrics', labels: { namespace: 'shop', deployment: 'web' } },
      { url: 'https://x.example/metrics', labels: { namespace: 'shop', deployment: 'web' } },
      { url: 'http://10.0.0.1:15020/stats/prometheus', labels: {} },
    ]);
  });

  it('defaults everything', () => {
    const cfg = parseConfig(null);
    expect(cfg.scrape.staticConfigs).toEqual([]);
    expect(cfg.server).toEqual({});
  });

  it('names the file and the field of every problem', () => {
    expect(() =>
      parseConfig(
        { scrape: { interval: 'soon', staticConfigs: [{ targets: [] }] }, extra: 1 },
        'bff.yaml',
      ),
    ).toThrow(
      new ConfigError(
        'bff.yaml: invalid BFF config:\n' +
          '  scrape.interval: must be a duration like 5s, 1m, 1500ms or a number of milliseconds\n' +
          '  scrape.staticConfigs.0.targets: Too small: expected array to have >=1 items\n' +
          '  (root): Unrecognized key: "extra"',
      ),
    );
  });

  it('takes the Prometheus label naming clusters, and refuses one that is not a label name', () => {
    const url = 'http://prometheus:9090';
    expect(parseConfig({ prometheus: { url, clusterLabel: 'k8s_cluster' } }).prometheus).toEqual({
      url,
      clusterLabel: 'k8s_cluster',
    });
    expect(() =>
      parseConfig({ prometheus: { url, clusterLabel: 'k8s-cluster' } }, 'bff.yaml'),
    ).toThrow(
      new ConfigError(
        'bff.yaml: invalid BFF config:\n  prometheus.clusterLabel: must be a Prometheus label name',
      ),
    );
  });
});
