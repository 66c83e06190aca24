import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from '../lib/paths';
import { waitUntil } from '../lib/wait';

/** `npm start` (scripts/start.mjs) in its own process group, as a terminal would run it. */
export interface Stack {
  child: ChildProcess;
  /** http://127.0.0.1:PORT/ as printed on the Dashboard line */
  url: string;
  /** when the Dashboard line appeared (ms) */
  readyAt: number;
  output: () => string;
  /** pids of every process in the stack's process group */
  groupPids: () => number[];
  /** Ctrl-C: SIGINT to the whole process group */
  interrupt: () => void;
  kill: () => void;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function pidsInGroup(pgid: number): number[] {
  try {
    const out = execFileSync('ps', ['-e', '-o', 'pid=,pgid=,stat='], { encoding: 'utf8' });
    return (
      out
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        // a zombie (Z) has exited already; it only waits for its parent to reap it
        .filter(([, g, stat]) => Number(g) === pgid && !stat?.startsWith('Z'))
        .map(([p]) => Number(p))
    );
  } catch {
    return [];
  }
}

export async function startStack(port: number, timeoutMs: number): Promise<Stack> {
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'scripts/start.mjs'), '--port', String(port)],
    {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const pgid = child.pid ?? 0;
  const signalGroup = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pgid, sig);
    } catch {
      // already gone
    }
  };
  const url = await waitUntil(
    'the Dashboard line of npm start',
    () => {
      if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${out}`);
      return /^Dashboard: (\S+)$/m.exec(out)?.[1];
    },
    timeoutMs,
    200,
  ).catch((err: unknown) => {
    signalGroup('SIGKILL');
    throw err;
  });
  return {
    child,
    url,
    readyAt: Date.now(),
    output: () => out,
    groupPids: () => pidsInGroup(pgid),
    interrupt: () => signalGroup('SIGINT'),
    kill: () => signalGroup('SIGKILL'),
  };
}
