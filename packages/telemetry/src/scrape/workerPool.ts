import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FoldResult } from '../model';
import type { IngestLimits, Ingester } from './ingester';
import type { WorkerMemory, WorkerRequest, WorkerResponse } from './workerProtocol';
import { loadWorkerScript } from './workerScript';

interface Pending {
  resolve: (r: FoldResult | WorkerMemory) => void;
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
    // what a worker allocates dies young (samples are folded as parsed, series seen before are
    // read by value): a small young generation keeps each worker's RSS lower
    resourceLimits: { maxYoungGenerationSizeMb: 4 },
  });
  const slot: Slot = { worker, pending: new Map() };
  worker.on('message', (msg: WorkerResponse) => {
    const p = slot.pending.get(msg.id);
    if (!p) return;
    slot.pending.delete(msg.id);
    if (!msg.ok) p.reject(new Error(msg.error));
    else p.resolve('memory' in msg ? msg.memory : msg.result);
  });
  worker.on('error', (err) => onDead(slot, err));
  worker.on('exit', (code) => onDead(slot, new Error(`ingest worker exited with code ${code}`)));
  worker.unref();
  return slot;
}

/**
 * The body as bytes that can be transferred to a worker. A fetched body owns its whole
 * ArrayBuffer (fetchScrape allocates it outside Buffer's pool) and moves without a copy: one copy
 * of ~500 KB less per scrape, i.e. 500 MB less allocated and freed per 1,000-target round, which
 * is what fragmented the allocator. A pooled Buffer shares its ArrayBuffer: that one is copied.
 * The caller's buffer is detached by the transfer (the scrape loop drops it anyway).
 */
function ownedBytes(body: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const buffer = bytes.buffer;
  if (
    buffer instanceof ArrayBuffer &&
    bytes.byteOffset === 0 &&
    bytes.byteLength === buffer.byteLength
  )
    return new Uint8Array(buffer);
  const owned = new Uint8Array(bytes.byteLength);
  owned.set(bytes);
  return owned;
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
      const owned = ownedBytes(body);
      const msg: WorkerRequest = { type: 'ingest', id, targetId, labels, body: owned, contentType };
      return new Promise<FoldResult>((resolve, reject) => {
        const done = (r: FoldResult | WorkerMemory): void =>
          'records' in r ? resolve(r) : reject(new Error('ingest worker answered out of turn'));
        slot.pending.set(id, { resolve: done, reject });
        slot.worker.postMessage(msg, [owned.buffer]);
      });
    },
    scrape(targetId, labels, url, limits) {
      const slot = slots[pick(targetId, slots.length)];
      if (!slot || closed) return Promise.reject(new Error('ingester closed'));
      const id = nextId++;
      const msg: WorkerRequest = { type: 'scrape', id, targetId, labels, url, limits };
      return new Promise<FoldResult>((resolve, reject) => {
        const done = (r: FoldResult | WorkerMemory): void =>
          'records' in r ? resolve(r) : reject(new Error('ingest worker answered out of turn'));
        slot.pending.set(id, { resolve: done, reject });
        slot.worker.postMessage(msg);
      });
    },
    forget(targetId) {
      const slot = slots[pick(targetId, slots.length)];
      const msg: WorkerRequest = { type: 'forget', targetId };
      slot?.worker.postMessage(msg);
    },
    workerMemory() {
      return Promise.all(
        slots.map(
          (slot) =>
            new Promise<WorkerMemory>((resolve, reject) => {
              const id = nextId++;
              const done = (r: FoldResult | WorkerMemory): void =>
                'heapUsed' in r
                  ? resolve(r)
                  : reject(new Error('ingest worker answered out of turn'));
              slot.pending.set(id, { resolve: done, reject });
              slot.worker.postMessage({ type: 'memory', id } satisfies WorkerRequest);
            }),
        ),
      );
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
