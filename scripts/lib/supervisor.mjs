// Restarts the processes of `npm start` the way a kubelet restarts containers: a process that
// dies after its first start is started again after a back-off (1 s, doubling to 30 s, reset
// once it has run for a minute), the restart is logged and counted, and the rest keeps running.
// A process that fails its *first* start still stops everything (the caller decides that).
// The counts are written to a small JSON status file that the dashboard reads.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const BACKOFF_START_MS = 1000;
export const BACKOFF_MAX_MS = 30_000;
/** a process that stayed up this long starts the back-off from 1 s again */
export const BACKOFF_RESET_AFTER_MS = 60_000;

/** Back-off before restart number `n` (1-based): 1 s, 2 s, 4 s, ... capped at 30 s. */
export function backoffMs(n) {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** Math.max(0, n - 1));
}

function exitText(code, signal) {
  return signal ?? `code ${code}`;
}

export class Supervisor {
  /**
   * @param {{
   *   procs: import('./processes.mjs').ProcessSet,
   *   statusFile?: string,
   *   log?: (line: string) => void,
   *   now?: () => number,
   * }} o
   */
  constructor(o) {
    this.o = o;
    this.now = o.now ?? Date.now;
    this.log = o.log ?? ((line) => process.stdout.write(`${line}\n`));
    /** @type {Map<string, any>} */
    this.entries = new Map();
    this.stopping = false;
    this.writeStatus();
  }

  /**
   * Starts `entry` under supervision and resolves with its first "listening" message (rejects
   * when that first start fails). `args(previous)` builds the arguments of each start; on a
   * restart it gets the previous start's message, so a process can keep its ports.
   * `onRestarted(result)` runs after every successful restart.
   * @param {string} name @param {string} entry
   * @param {(previous: any) => string[]} args
   * @param {{ stdin?: boolean, timeoutMs?: number, env?: NodeJS.ProcessEnv, nodeArgs?: readonly string[], onRestarted?: (r: { child: import('node:child_process').ChildProcess, msg: any }) => void }} [opts]
   */
  async start(name, entry, args, opts = {}) {
    const e = {
      name,
      entry,
      args,
      opts,
      state: 'starting',
      restarts: 0,
      pid: null,
      startedAtMs: null,
      lastExit: null,
      previous: undefined,
      streak: 0,
      timer: undefined,
    };
    this.entries.set(name, e);
    this.writeStatus();
    const r = await this.spawn(e);
    return r;
  }

  /** Kills `name` (SIGKILL) so that it restarts: used when what it depends on changed. */
  bounce(name) {
    const child = this.o.procs.children.get(name);
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /** No restart from now on; pending restarts are cancelled. */
  stop() {
    this.stopping = true;
    for (const e of this.entries.values()) {
      clearTimeout(e.timer);
      e.state = 'stopped';
    }
    this.writeStatus();
  }

  /** Snapshot for the status file and tests. */
  status() {
    return {
      updatedAtMs: this.now(),
      processes: [...this.entries.values()].map((e) => ({
        name: e.name,
        state: e.state,
        pid: e.pid,
        restarts: e.restarts,
        startedAtMs: e.startedAtMs,
        lastExit: e.lastExit,
      })),
    };
  }

  async spawn(e) {
    const r = await this.o.procs.start(e.name, e.entry, e.args(e.previous), {
      ...e.opts,
      onExit: (code, signal) => this.exited(e, code, signal),
    });
    e.previous = r.msg;
    e.state = 'running';
    e.pid = r.child.pid ?? null;
    e.startedAtMs = this.now();
    this.writeStatus();
    return r;
  }

  exited(e, code, signal) {
    if (this.stopping) return;
    const at = this.now();
    const ranMs = e.startedAtMs === null ? 0 : at - e.startedAtMs;
    if (ranMs >= BACKOFF_RESET_AFTER_MS) e.streak = 0;
    e.streak += 1;
    e.restarts += 1;
    e.state = 'backoff';
    e.pid = null;
    e.lastExit = { code, signal, atMs: at };
    const wait = backoffMs(e.streak);
    this.log(
      `↻ ${e.name} exited (${exitText(code, signal)}); restart #${e.restarts} in ${wait / 1000}s`,
    );
    this.writeStatus();
    e.timer = setTimeout(() => void this.restart(e), wait);
  }

  async restart(e) {
    if (this.stopping) return;
    e.state = 'starting';
    this.writeStatus();
    try {
      const r = await this.spawn(e);
      this.log(`✓ ${e.name} is running again (pid ${r.child.pid})`);
      e.opts.onRestarted?.(r);
    } catch (err) {
      if (this.stopping) return;
      // A failed restart is one more crash: back off and try again; it never stops the rest.
      this.log(`  ! ${e.name} could not restart: ${err.message.split('\n')[0]}`);
      e.startedAtMs = null;
      this.exited(e, null, null);
    }
  }

  writeStatus() {
    const file = this.o.statusFile;
    if (!file) return;
    try {
      mkdirSync(dirname(file), { recursive: true });
      // temp + rename: the dashboard never reads half a file
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(this.status())}\n`);
      renameSync(tmp, file);
    } catch (err) {
      this.log(`  ! could not write ${file}: ${err.message}`);
    }
  }
}
