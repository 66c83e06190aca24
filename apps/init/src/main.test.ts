import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Runs the real command in a network namespace this test creates: root is required (CI runs
// as root; so does the init container). Not root is a failure, not a skip.
const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const ns = `mlt-init-${process.pid}`;

/**
 * The unprivileged uid must reach the checkout (tsx and the sources): a clone under a private
 * temporary folder (mode 0700) would hide it. Grants search (o+x) on the checkout's ancestors.
 */
function letEveryoneTraverse(dir: string): void {
  for (let d = dir; ; d = path.dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) chmodSync(d, mode | 0o001);
    if (path.dirname(d) === d) break;
  }
}

function init(args: string[], prefix: string[] = []) {
  const r = spawnSync(
    'ip',
    ['netns', 'exec', ns, ...prefix, process.execPath, '--import', 'tsx', main, ...args],
    {
      encoding: 'utf8',
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const natRules = () =>
  execFileSync('ip', ['netns', 'exec', ns, 'iptables-save', '-t', 'nat'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.startsWith('-A'));

describe('meshlens-init in a network namespace', () => {
  beforeAll(() => {
    expect(process.getuid?.(), 'these tests need root (ip netns, iptables)').toBe(0);
    execFileSync('ip', ['netns', 'add', ns]);
    letEveryoneTraverse(fileURLToPath(new URL('../../..', import.meta.url)));
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', ns]);
  });

  it('applies the rules once, and a re-run leaves exactly the same rules', () => {
    const first = init(['--inbound-ports', '9080', '--proxy-uid', '2102']);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const rules = natRules();
    expect(rules).toEqual([
      '-A PREROUTING -p tcp -j MESHLENS_PREROUTING',
      '-A OUTPUT -p tcp -j MESHLENS_OUTPUT',
      '-A MESHLENS_OUTPUT -p tcp -m owner --uid-owner 2102 -j RETURN',
      '-A MESHLENS_OUTPUT -d 127.0.0.0/8 -p tcp -j RETURN',
      '-A MESHLENS_OUTPUT -p tcp -j REDIRECT --to-ports 4140',
      '-A MESHLENS_PREROUTING -p tcp -m tcp --dport 9080 -j REDIRECT --to-ports 4143',
    ]);
    expect(init(['--inbound-ports', '9080', '--proxy-uid', '2102']).status).toBe(0);
    expect(natRules()).toEqual(rules);
  });

  it('--dry-run prints the rules and changes nothing', () => {
    const before = natRules();
    const r = init(['--dry-run', '--outbound-port', '15001']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('-A MESHLENS_OUTPUT -p tcp -j REDIRECT --to-ports 15001\n');
    expect(natRules()).toEqual(before);
  });

  it('names the missing capability and the missing binary', () => {
    const denied = init([], ['setpriv', '--reuid=2102', '--regid=2102', '--clear-groups']);
    expect(denied.status).toBe(1);
    expect(denied.stderr).toContain('must run as root with the NET_ADMIN capability');
    expect(denied.stderr).toContain('Permission denied');
    const missing = init(['--iptables', 'iptables-not-installed']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(
      'meshlens-init: iptables-not-installed not found on PATH: meshlens-init needs iptables ' +
        '(Debian/Ubuntu: apt-get install iptables; the meshlens image has it)\n',
    );
  });
});
