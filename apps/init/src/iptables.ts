import { spawnSync } from 'node:child_process';
import type { InitFlags } from './flags';
import { JUMPS, restoreScript } from './rules';

/** A failure the user can act on; main prints the message and exits 1. */
export class InitError extends Error {}

interface Run {
  status: number | null;
  stderr: string;
}

export type Runner = (bin: string, args: string[], input?: string) => Run;

const PERMISSION = /permission denied|you must be root|operation not permitted/i;

function realRunner(bin: string, args: string[], input?: string): Run {
  const r = spawnSync(bin, args, { input, encoding: 'utf8' });
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    throw new InitError(
      `${bin} not found on PATH: meshlens-init needs iptables (Debian/Ubuntu: apt-get install iptables; ` +
        `the meshlens image has it)`,
    );
  }
  if (r.error !== undefined) throw new InitError(`${bin} could not run: ${r.error.message}`);
  return { status: r.status, stderr: r.stderr };
}

function check(bin: string, what: string, r: Run): void {
  if (r.status === 0) return;
  const said = r.stderr.trim();
  if (PERMISSION.test(said)) {
    throw new InitError(
      `${bin} was not permitted to change the nat table: meshlens-init must run as root with the ` +
        `NET_ADMIN capability (securityContext.capabilities.add: [NET_ADMIN]). ${bin} said: ${said}`,
    );
  }
  throw new InitError(`${bin} failed to ${what} (exit ${String(r.status)}): ${said}`);
}

/**
 * Installs the rules in the current network namespace. The built-in chains' jumps are checked
 * first (`-C`) and added only when missing; our chains are replaced in one atomic restore.
 */
export function applyRules(f: InitFlags, run: Runner = realRunner): string {
  const version = run(f.iptables, ['--version']);
  check(f.iptables, 'report its version', version);
  const missing: string[] = [];
  for (const [builtin, ours] of JUMPS) {
    const r = run(f.iptables, ['-t', 'nat', '-C', builtin, '-p', 'tcp', '-j', ours]);
    if (r.status === 0) continue;
    if (PERMISSION.test(r.stderr)) check(f.iptables, 'read the nat table', r);
    missing.push(builtin);
  }
  const script = restoreScript(f, missing);
  check(
    `${f.iptables}-restore`,
    'apply the rules',
    run(`${f.iptables}-restore`, ['--noflush'], script),
  );
  return script;
}
