// Child processes for `npm start`: spawn the apps' bundled entry points, wait for their
// "listening" log line, keep their logs in files, and stop them all (SIGTERM, then SIGKILL).
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export class ProcessSet {
  /**
   * `o.env`: environment every child gets under the user's own (which wins), e.g. runtimeEnv.
   * @param {{ root: string, logDir: string, env?: Readonly<Record<string, string>>, onUnexpectedExit: (name: string, code: number | null, signal: string | null) => void }} o
   */
  constructor(o) {
    this.o = o;
    /** @type {Map<string, import('node:child_process').ChildProcess>} */
    this.children = new Map();
    this.stopping = false;
  }

  /**
   * Starts `node <entry> ...args` (a bundle: apps/<app>/dist/main.mjs) and resolves with its first
   * "listening" log line.
   * @param {string} name @param {string} entry @param {string[]} args
   * `opts.onExit` replaces onUnexpectedExit for this child (the supervisor restarts it).
   * `opts.nodeArgs` go to node before the entry point (V8 flags such as the proxy's).
   * @param {{ stdin?: boolean, timeoutMs?: number, env?: NodeJS.ProcessEnv, nodeArgs?: readonly string[], onExit?: (code: number | null, signal: string | null) => void }} [opts]
   */
  start(name, entry, args, opts = {}) {
    // appended: a restarted process keeps the log of the run that crashed
    const log = createWriteStream(join(this.o.logDir, `${name}.log`), { flags: 'a' });
    const nodeArgs = opts.nodeArgs ?? [];
    const child = spawn(process.execPath, [...nodeArgs, join(this.o.root, entry), ...args], {
      cwd: this.o.root,
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      env: { ...this.o.env, ...process.env, ...opts.env },
    });
    this.children.set(name, child);
    child.stderr.pipe(log, { end: false });
    let stderrTail = '';
    child.stderr.on('data', (d) => (stderrTail = (stderrTail + d.toString()).slice(-2000)));
    const lines = createInterface({ input: child.stdout });
    const timeoutMs = opts.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      let listening = false;
      const timer = setTimeout(() => {
        // not left running half-started: a later restart would collide with it
        child.kill('SIGKILL');
        reject(
          new Error(
            `${name} did not log "listening" within ${timeoutMs / 1000}s (log: ${join(this.o.logDir, `${name}.log`)})`,
          ),
        );
      }, timeoutMs);
      lines.on('line', (line) => {
        log.write(`${line}\n`);
        if (listening) return;
        let msg;
        try {
          msg = JSON.parse(line);
        } catch {
          return;
        }
        if (msg && msg.msg === 'listening') {
          listening = true;
          clearTimeout(timer);
          resolve({ child, msg });
        }
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`${name} could not start: ${err.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.children.get(name) === child) this.children.delete(name);
        if (!listening) {
          reject(
            new Error(`${name} exited (${signal ?? code}) before listening:\n${stderrTail.trim()}`),
          );
        } else if (!this.stopping) {
          (opts.onExit ?? ((c, s) => this.o.onUnexpectedExit(name, c, s)))(code, signal);
        }
      });
    });
  }

  /** SIGTERM to every child, SIGKILL to whatever is left after `graceMs`. */
  async stopAll(graceMs = 2500) {
    this.stopping = true;
    const alive = [...this.children.values()].filter(
      (c) => c.exitCode === null && c.signalCode === null,
    );
    const exits = alive.map(
      (c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r))),
    );
    for (const c of alive) c.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const c of alive) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }, graceMs);
    await Promise.all(exits);
    clearTimeout(timer);
  }
}
