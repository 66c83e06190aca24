import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const CP_MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  /** Parsed `listening` log line. */
  listening: Record<string, unknown>;
  lines: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Runs a TypeScript entry point with tsx in a child process and resolves at its pino
 * `"msg":"listening"` line (rejects if the process exits first or the deadline passes).
 */
export function spawnTs(
  entry: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; name?: string } = {},
): Promise<Spawned> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop('SIGKILL');
      reject(
        new Error(
          `${opts.name ?? entry} did not log "listening" in time:\n${lines.slice(-20).join('\n')}`,
        ),
      );
    }, opts.timeoutMs ?? 60_000);
    const onLine = (line: string) => {
      lines.push(line);
      if (lines.length > 2000) lines.shift();
      if (!line.includes('"listening"')) return;
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed['msg'] !== 'listening') return;
        clearTimeout(timer);
        resolve({ child, listening: parsed, lines, stop });
      } catch {
        // not JSON: keep waiting
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', (l) => lines.push(l));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `${opts.name ?? entry} exited (${code ?? signal}) before listening:\n${lines.slice(-20).join('\n')}`,
        ),
      );
    });
  });
}
