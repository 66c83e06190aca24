import type { Response } from 'express';

export interface TapSessionLimits {
  /** events waiting for a slow browser before new ones are dropped */
  bufferEvents: number;
  /** bytes allowed in the response's own buffer before events wait in the queue */
  maxWritableBytes: number;
}

/**
 * One browser's tap stream with a bounded buffer: events go straight out while the socket keeps
 * up, wait in a queue of at most `bufferEvents` while it does not, and are dropped (counted,
 * then announced with a notice) beyond that. A paused or slow browser costs a bounded amount of
 * memory, never more.
 */
export class TapSession {
  private readonly queue: string[] = [];
  private unannounced = 0;
  private timer: NodeJS.Timeout | undefined;
  droppedTotal = 0;

  constructor(
    private readonly res: Response,
    private readonly limits: TapSessionLimits,
  ) {
    res.on('drain', () => this.flush());
  }

  get buffered(): number {
    return this.queue.length;
  }

  /** bytes accepted by the response but not yet handed to the socket */
  get writableBytes(): number {
    return this.res.writableLength;
  }

  send(event: string, data: unknown): void {
    this.push(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  comment(text: string): void {
    if (this.queue.length === 0 && this.fits()) this.res.write(`: ${text}\n\n`);
  }

  private fits(): boolean {
    return this.res.writableLength < this.limits.maxWritableBytes;
  }

  private push(frame: string): void {
    if (this.res.destroyed) return;
    if (this.queue.length === 0 && this.unannounced === 0 && this.fits()) {
      this.res.write(frame);
      return;
    }
    if (this.queue.length < this.limits.bufferEvents) {
      this.queue.push(frame);
      this.flush();
      return;
    }
    this.unannounced++;
    this.droppedTotal++;
    this.retryLater();
  }

  /** 'drain' only fires after a write was refused; below that mark, look again shortly. */
  private retryLater(): void {
    if (this.timer !== undefined || this.res.destroyed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, 50);
  }

  close(): void {
    clearTimeout(this.timer);
  }

  private flush(): void {
    while (this.queue.length > 0 && this.fits() && !this.res.destroyed) {
      const frame = this.queue.shift();
      if (frame !== undefined) this.res.write(frame);
    }
    if (this.queue.length === 0 && this.unannounced > 0 && this.fits()) {
      const count = this.unannounced;
      this.unannounced = 0;
      const notice = { type: 'dropped', ts: Date.now(), count, reason: 'slow-consumer' };
      this.res.write(`event: tap\ndata: ${JSON.stringify(notice)}\n\n`);
    }
    if (this.queue.length > 0 || this.unannounced > 0) this.retryLater();
  }
}
