import type { ChildProcess } from 'node:child_process';

/** Resolves when the child has exited (immediately if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM, then SIGKILL after a grace period: Ctrl-C never leaves a child behind. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

/**
 * A child that ended because of Ctrl-C: in a terminal the whole process group gets SIGINT, so
 * the child may exit before our own handler runs.
 */
export function stoppedByInterrupt(child: ChildProcess): boolean {
  return (
    child.signalCode === 'SIGINT' ||
    child.signalCode === 'SIGTERM' ||
    child.exitCode === 0 ||
    child.exitCode === 130 ||
    child.exitCode === 143
  );
}

/** Waits for SIGINT/SIGTERM or for the child to exit by itself; returns which happened. */
export function untilSignalOrExit(child: ChildProcess): Promise<'signal' | 'exit'> {
  return new Promise((resolve) => {
    const onSignal = (): void => {
      cleanup();
      resolve('signal');
    };
    const onExit = (): void => {
      cleanup();
      resolve('exit');
    };
    const cleanup = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      child.off('exit', onExit);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    child.on('exit', onExit);
  });
}

/** Polls `url` until it answers with any HTTP status, the deadline passes or `abort` fires. */
export async function waitForHttp(
  url: string,
  deadlineMs: number,
  aborted: () => boolean,
): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end && !aborted()) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  return false;
}
