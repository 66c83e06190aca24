import type { AttemptOutcome } from './attempt';

/**
 * An attempt's outcome, settled once: whatever happens after (a late error once a timeout has
 * answered, a close after the response) is ignored, and `settled` says whether it happened.
 * The attempts of the undici pool and of HTTP/2 streams extend it: their callbacks are methods
 * of one object, not closures that could keep a request's objects alive (ADR 0026). A module of
 * its own: attempt.ts imports the modules whose classes extend it.
 */
export class OutcomeOnce {
  readonly outcome: Promise<AttemptOutcome>;
  private resolve: ((o: AttemptOutcome) => void) | undefined;
  private done = false;

  constructor() {
    this.outcome = new Promise<AttemptOutcome>((resolve) => (this.resolve = resolve));
  }

  get settled(): boolean {
    return this.done;
  }

  settle(o: AttemptOutcome): void {
    if (this.done) return;
    this.done = true;
    this.resolve?.(o);
    this.resolve = undefined;
  }

  /** Settles as a timeout: the pipeline's deadline passed before the attempt answered. */
  timedOut(bodyStarted: boolean): void {
    this.settle({ kind: 'error', error: 'timeout', message: 'timeout', bodyStarted });
  }
}
