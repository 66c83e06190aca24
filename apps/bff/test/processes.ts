import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface Proc {
  child: ChildProcess;
  /** every stdout line so far */
  lines: string[];
  stderr: () => string;
  /** resolves with the first JSON log line whose msg matches, or rejects at the deadline */
  waitForLog(msg: string, deadlineMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startTsx(script: string, args: string[]): Proc {
  // node --import tsx (not the tsx wrapper): signals and kills reach the process itself,
  // so a killed test leaves no orphan behind.
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let err = '';
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const findLog = (msg: string) => {
    for (const line of lines) {
      try {
        const obj = JSON.parse(line) as Record<string, unknown>;
        if (obj.msg === msg) return obj;
      } catch {
        // not a JSON line
      }
    }
    return undefined;
  };
  return {
    child,
    lines,
    stderr: () => err,
    async waitForLog(msg, deadlineMs = 60_000) {
      const deadline = Date.now() + deadlineMs;
      for (;;) {
        const found = findLog(msg);
        if (found) return found;
        if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}): ${err}`);
        if (Date.now() > deadline) throw new Error(`no "${msg}" log line in time; stderr: ${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls `probe` until it returns a value, or throws at the deadline. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  deadlineMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met in time: ${String(lastErr)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
