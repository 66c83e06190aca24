import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Helpers for tests that run processes in network namespaces they create (root only). */

export const PROXY_UID = 2102;

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
let traversable = false;

export function sh(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${String(r.status)}): ${r.stderr}${r.error?.message ?? ''}`,
    );
  }
  return r.stdout;
}

/** argv prefix that runs a command in `ns`, as the proxy's user when `asProxy`. */
export function inNs(ns: string, asProxy = false): string[] {
  if (asProxy && !traversable) {
    letEveryoneTraverse(fileURLToPath(new URL('../../..', import.meta.url)));
    traversable = true;
  }
  return [
    'ip',
    'netns',
    'exec',
    ns,
    ...(asProxy
      ? ['setpriv', `--reuid=${PROXY_UID}`, `--regid=${PROXY_UID}`, '--clear-groups']
      : []),
  ];
}

export interface NsProcess {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first line matching `test` (parsed as JSON when possible). */
  waitForLine(test: (line: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `argv` and keeps its output; `stop` ends it (SIGTERM, then SIGKILL). */
export function startIn(argv: string[], name: string): NsProcess {
  const [cmd = '', ...args] = argv;
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const onLine = (l: string) => {
    lines.push(l);
    for (const w of waiters) w();
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  child.once('exit', () => {
    for (const w of waiters) w();
  });
  return {
    child,
    lines,
    waitForLine(test, what, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(test);
          if (found !== undefined) {
            cleanup();
            resolve(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`${name} exited before ${what}:\n${lines.slice(-20).join('\n')}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `${name}: no ${what} within ${timeoutMs / 1000}s:\n${lines.slice(-20).join('\n')}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let last: unknown;
    try {
      const v = check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end)
      throw new Error(
        `${what} not reached within ${timeoutMs / 1000}s: ${last instanceof Error ? last.message : 'no value yet'}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Sum of the samples of `family` whose labels include every `want` pair. */
export function metricSum(text: string, family: string, want: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${family}{`)) continue;
    const close = line.lastIndexOf('}');
    const labels = line.slice(family.length + 1, close);
    const has = ([k, v]: [string, string]) => `,${labels}`.includes(`,${k}="${v}"`);
    if (!Object.entries(want).every(has)) continue;
    sum += Number(
      line
        .slice(close + 1)
        .trim()
        .split(' ')[0],
    );
  }
  return sum;
}
