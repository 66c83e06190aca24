import { describe, expect, it } from 'vitest';
import { envName, parseFlags } from './flags';

describe('parseFlags', () => {
  it('applies defaults: plaintext without a control plane, permissive with one', () => {
    const r = parseFlags(['--service', 'web', '--namespace', 'shop'], {});
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    expect(r.flags.tlsMode).toBe('disabled');
    expect(r.flags.identity.workload).toBe('web');
    expect(r.flags.outbound).toEqual({ address: '127.0.0.1', port: 0 });
    expect(r.flags.defaultTimeoutMs).toBe(10000);
    const cp = parseFlags(['--control-plane-url', 'http://127.0.0.1:1234'], {});
    expect(cp.kind === 'ok' && cp.flags.tlsMode).toBe('permissive');
  });

  it('reads env MESHLENS_PROXY_* and lets flags win', () => {
    expect(envName('app-port')).toBe('MESHLENS_PROXY_APP_PORT');
    const r = parseFlags(['--app-port', '81'], {
      MESHLENS_PROXY_APP_PORT: '80',
      MESHLENS_PROXY_SERVICE: 'api',
    });
    expect(r.kind === 'ok' && r.flags.app).toEqual({ address: '127.0.0.1', port: 81 });
    expect(r.kind === 'ok' && r.flags.identity.service).toBe('api');
  });

  it('names the flag of every problem', () => {
    const r = parseFlags(['--trace-sample-rate', '1.5', '--admin-port', 'x'], {});
    expect(r.kind).toBe('error');
    if (r.kind !== 'error') return;
    expect(r.message).toContain('--trace-sample-rate');
    expect(r.message).toContain('--admin-port');
    expect(parseFlags(['stray'], {}).kind).toBe('error');
    const unknown = parseFlags(['--nope', 'x'], {});
    expect(unknown.kind === 'error' && unknown.message).toContain("Unknown option '--nope'");
    const env = parseFlags([], { MESHLENS_PROXY_TLS_MODE: 'sometimes' });
    expect(env.kind === 'error' && env.message).toContain('--tls-mode');
    expect(parseFlags(['--help'], {}).kind).toBe('help');
  });

  it('takes the tap settings, with the dashboard identity of the trust domain by default', () => {
    const def = parseFlags(['--trust-domain', 'corp.example'], {});
    expect(def.kind === 'ok' && def.flags.tap).toEqual({
      identities: ['spiffe://corp.example/ns/meshlens/sa/meshlens-dashboard'],
      tokenFile: undefined,
      redactHeaders: [],
    });
    const set = parseFlags(
      ['--tap-identity', 'spiffe://td/ns/a/sa/b', '--tap-redact-headers', 'X-Api-Key,x-b'],
      {},
    );
    expect(set.kind === 'ok' && set.flags.tap.redactHeaders).toEqual(['X-Api-Key', 'x-b']);
    const bad = parseFlags(['--tap-identity', 'dashboard'], {});
    expect(bad.kind === 'error' && bad.message).toBe(
      '--tap-identity: must be spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>, comma-separated',
    );
  });
});
