import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/paths';
import { waitUntil } from '../lib/wait';

/**
 * scripts/lib/supervisor.mjs with real child processes: a SIGKILLed child comes back on the
 * same port after 1 s, then 2 s, counted in the status file; a first start that fails stops
 * everything; after stop nothing restarts.
 */
interface Status {
  processes: {
    name: string;
    state: string;
    pid: number | null;
    restarts: number;
    lastExit: { code: number | null; signal: string | null; atMs: number } | null;
  }[];
}

const drivers: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const d of drivers.splice(0)) if (d.exitCode === null) d.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function drive(...extra: string[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'supervisor-'));
  dirs.push(dir);
  const statusFile = path.join(dir, 'status.json');
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'e2e/demo/__fixtures__/supervise.mjs'), statusFile, dir, ...extra],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  drivers.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const status = () => JSON.parse(readFileSync(statusFile, 'utf8')) as Status;
  const proc = () => status().processes.find((p) => p.name === 'child');
  return { child, output: () => out, proc };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start supervisor', () => {
  it('restarts a killed child with back-off, on the same port, counting restarts', async () => {
    const d = drive();
    await waitUntil('the first start', () => d.output().includes('started'), 30_000);
    const first = d.proc();
    expect(first).toMatchObject({ state: 'running', restarts: 0, lastExit: null });
    const port = (
      JSON.parse(
        readFileSync(path.join(dirs[0] ?? '', 'child.log'), 'utf8').split('\n')[0] ?? '{}',
      ) as { port: number }
    ).port;
    expect(port).toBeGreaterThan(0);

    const killedAt = Date.now();
    process.kill(first?.pid ?? 0, 'SIGKILL');
    const backoff = await waitUntil(
      'back-off state',
      () => (d.proc()?.state === 'backoff' ? d.proc() : undefined),
      10_000,
      20,
    );
    expect(backoff).toMatchObject({
      restarts: 1,
      pid: null,
      lastExit: { code: null, signal: 'SIGKILL' },
    });
    const second = await waitUntil(
      'the restart',
      () => (d.proc()?.state === 'running' ? d.proc() : undefined),
      30_000,
      50,
    );
    // not before the 1 s back-off
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(1000);
    expect(second?.pid).not.toBe(first?.pid);
    expect(d.output()).toContain('↻ child exited (SIGKILL); restart #1 in 1s');
    // the restarted child answers on the port of the first start
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');

    process.kill(second?.pid ?? 0, 'SIGKILL');
    await waitUntil(
      'the second restart',
      () => d.proc()?.restarts === 2 && d.proc()?.state === 'running',
      30_000,
      50,
    );
    expect(d.output()).toContain('↻ child exited (SIGKILL); restart #2 in 2s');

    const last = d.proc()?.pid ?? 0;
    d.child.kill('SIGTERM');
    await waitUntil('the driver to exit', () => d.child.exitCode !== null, 10_000, 50);
    expect(alive(last)).toBe(false);
  }, 90_000);

  it('stops everything when the first start fails', async () => {
    const d = drive('--fail-first');
    await waitUntil('the driver to exit', () => d.child.exitCode !== null, 30_000, 50);
    expect(d.output()).toContain('first start failed: child exited (3) before listening:');
    expect(d.output()).not.toContain('restart #');
  }, 60_000);
});
