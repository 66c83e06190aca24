import { describe, expect, it } from 'vitest';
import { parseFlags } from './flags';

describe('parseFlags', () => {
  it('turns on the fixture canary and clusters', () => {
    const f = parseFlags(['--source', 'fixture', '--fixture-canary', '--fixture-clusters'], {});
    expect([f.fixtureCanary, f.fixtureClusters]).toEqual([true, true]);
  });

  it('parses every flag', () => {
    const f = parseFlags(
      [
        '--port=0',
        '--address',
        '0.0.0.0',
        '--source',
        'prometheus',
        '--prometheus-url',
        'http://127.0.0.1:9090',
        '--base-path',
        '/meshlens/',
        '--allowed-host',
        'a.example',
        '--allowed-host',
        'b.example',
        '--fixture-now',
        '1764000000000',
        '--data-dir',
        '/var/lib/meshlens',
        '--snapshot-interval',
        '30s',
        '--process-status-file',
        '.meshlens/status/processes.json',
      ],
      {},
    );
    expect(f).toEqual({
      port: 0,
      address: '0.0.0.0',
      source: 'prometheus',
      prometheusUrl: 'http://127.0.0.1:9090',
      basePath: '/meshlens',
      allowedHost: ['a.example', 'b.example'],
      fixtureNow: 1764000000000,
      dataDir: '/var/lib/meshlens',
      snapshotInterval: 30_000,
      processStatusFile: '.meshlens/status/processes.json',
      logLevel: 'info',
    });
    expect(parseFlags([], {}).snapshotInterval).toBe(60_000);
  });

  it('names a bad snapshot interval', () => {
    expect(() => parseFlags(['--snapshot-interval', 'often'], {})).toThrow(
      '--snapshot-interval: must be a duration like 30s, 1m or 5m',
    );
    expect(() => parseFlags(['--snapshot-interval', '10ms'], {})).toThrow(
      '--snapshot-interval: must be at least 1s',
    );
  });

  it('takes the token from the environment', () => {
    expect(parseFlags([], { MESHLENS_AUTH_TOKEN: 'longenough' }).authToken).toBe('longenough');
    expect(
      parseFlags(['--auth-token', 'fromflag1'], { MESHLENS_AUTH_TOKEN: 'longenough' }).authToken,
    ).toBe('fromflag1');
  });

  it('names the bad flag', () => {
    expect(() => parseFlags(['--source', 'influx'], {})).toThrow(/^--source: /);
    expect(() => parseFlags(['--port', '70000'], {})).toThrow(/^--port: /);
    expect(() => parseFlags(['--base-path', '/a b'], {})).toThrow(
      /^--base-path: must look like \/meshlens/,
    );
    expect(() => parseFlags(['--auth-token', 'short'], {})).toThrow(
      '--auth-token: must be at least 8 characters',
    );
    expect(() => parseFlags(['--prometheus-url', 'nope'], {})).toThrow(/^--prometheus-url: /);
    expect(() => parseFlags(['--bogus'], {})).toThrow(/Unknown option '--bogus'/);
  });

  it('takes --otlp-grpc-port (off unless set) and names it when bad', () => {
    expect(parseFlags([], {}).otlpGrpcPort).toBeUndefined();
    expect(parseFlags(['--otlp-grpc-port', '4317'], {}).otlpGrpcPort).toBe(4317);
    expect(() => parseFlags(['--otlp-grpc-port', 'grpc'], {})).toThrow(/^--otlp-grpc-port: /);
  });
});
