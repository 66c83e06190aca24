import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FoldResult } from '../model';
import type { IngestLimits, Ingester } from './ingester';
import type { WorkerRequest, WorkerResponse } from './workerProtocol';
import { loadWorkerScript } from './workerScript';

interface Pending {
  resolve: (r: FoldResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** Inside the BFF's bundle (apps/bff/dist/main.mjs) the worker was built beside it. */
function workerSource(): string {
  return loadWorkerScript(
    fileURLToPath(new URL('./ingestWorker.cjs', import.meta.url)),
    fileURLToPath(new URL('./ingestWorker.ts', import.meta.url)),
  );
}

function spawn(onDead: (slot: Slot, err: Error) => void, limits: IngestLimits): Slot {
  const worker = new Worker(workerSource(), {
    eval: true,
    workerData: limits,
    // parse garbage is short-lived: a small young generation keeps each worker's RSS ~30 MB lower
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
  });
  const slot: Slot = { worker, pending: new Map() };
  worker.on('message', (msg: WorkerResponse) => {
    const p = slot.pending.get(msg.id);
    if (!p) return;
    slot.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(msg.error));
  });
  worker.on('error', (err) => onDead(slot, err));
  worker.on('exit', (code) => onDead(slot, new Error(`ingest worker exited with code ${code}`)));
  worker.unref();
  return slot;
}

/** Stable target -> worker assignment, so each worker keeps the counter state of its targets. */
function pick(targetId: string, n: number): number {
  let h = 0;
  for (let i = 0; i < targetId.length; i++) h = (Math.imul(h, 31) + targetId.charCodeAt(i)) | 0;
  return Math.abs(h) % n;
}

/**
 * Parses and folds in worker threads so a round of 1,000 large scrapes never blocks the event
 * loop of the API. A crashed worker is replaced (its targets start over from their next scrape).
 */
export function createWorkerIngester(size: number, limits: IngestLimits = {}): Ingester {
  let closed = false;
  let nextId = 1;
  const slots: Slot[] = [];
  const onDead = (slot: Slot, err: Error): void => {
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
    const i = slots.indexOf(slot);
    if (i !== -1 && !closed) slots[i] = spawn(onDead, limits);
  };
  for (let i = 0; i < Math.max(1, size); i++) slots.push(spawn(onDead, limits));
  return {
    ingest(targetId, labels, body, contentType) {
      const slot = slots[pick(targetId, slots.length)];
      if (!slot || closed) return Promise.reject(new Error('ingester closed'));
      const id = nextId++;
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      // a pooled Buffer shares its ArrayBuffer: copy into an owned one before transferring
      const owned = new Uint8Array(bytes.byteLength);
      owned.set(bytes);
      const msg: WorkerRequest = { type: 'ingest', id, targetId, labels, body: owned, contentType };
      return new Promise<FoldResult>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.postMessage(msg, [owned.buffer]);
      });
    },
    forget(targetId) {
      const slot = slots[pick(targetId, slots.length)];
      const msg: WorkerRequest = { type: 'forget', targetId };
      slot?.worker.postMessage(msg);
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
