import { describe, expect, it } from 'vitest';
import { parseFlags, type InitFlags } from './flags';
import { restoreScript } from './rules';

function flags(argv: string[]): InitFlags {
  const r = parseFlags(argv);
  if (r.kind !== 'ok') throw new Error(`expected flags to parse: ${JSON.stringify(r)}`);
  return r.flags;
}

describe('meshlens-init rules', () => {
  it('redirects only the listed app ports inbound and skips the proxy uid, loopback and exclusions outbound', () => {
    const f = flags([
      '--proxy-uid',
      '1337',
      '--inbound-ports',
      '9080,4143',
      '--skip-outbound-ports',
      '5432',
      '--skip-outbound-cidrs',
      '169.254.169.254/32',
    ]);
    expect(restoreScript(f, ['OUTPUT']).split('\n')).toEqual([
      '*nat',
      ':MESHLENS_PREROUTING - [0:0]',
      ':MESHLENS_OUTPUT - [0:0]',
      // 4143 is the proxy's own inbound port: never redirected to itself
      '-A MESHLENS_PREROUTING -p tcp --dport 9080 -j REDIRECT --to-ports 4143',
      '-A MESHLENS_OUTPUT -p tcp -m owner --uid-owner 1337 -j RETURN',
      '-A MESHLENS_OUTPUT -p tcp -d 127.0.0.0/8 -j RETURN',
      '-A MESHLENS_OUTPUT -p tcp -d 169.254.169.254/32 -j RETURN',
      '-A MESHLENS_OUTPUT -p tcp --dport 5432 -j RETURN',
      '-A MESHLENS_OUTPUT -p tcp -j REDIRECT --to-ports 4140',
      '-A OUTPUT -p tcp -j MESHLENS_OUTPUT',
      'COMMIT',
      '',
    ]);
  });

  it('without --inbound-ports redirects every inbound port but the proxy’s own and the skipped ones', () => {
    const lines = restoreScript(flags(['--skip-inbound-ports', '22']), []).split('\n');
    expect(lines.filter((l) => l.startsWith('-A MESHLENS_PREROUTING'))).toEqual([
      '-A MESHLENS_PREROUTING -p tcp --dport 4143 -j RETURN',
      '-A MESHLENS_PREROUTING -p tcp --dport 4140 -j RETURN',
      '-A MESHLENS_PREROUTING -p tcp --dport 4191 -j RETURN',
      '-A MESHLENS_PREROUTING -p tcp --dport 22 -j RETURN',
      '-A MESHLENS_PREROUTING -p tcp -j REDIRECT --to-ports 4143',
    ]);
  });

  it('names the flag of bad input', () => {
    expect(parseFlags(['--skip-outbound-cidrs', '10.0.0.0/33'])).toEqual({
      kind: 'error',
      message: '--skip-outbound-cidrs: must be IPv4 CIDRs like 10.0.0.0/8',
    });
    expect(parseFlags(['--proxy-uid', 'proxy'])).toEqual({
      kind: 'error',
      message: '--proxy-uid: --proxy-uid must be a numeric user id',
    });
  });
});
