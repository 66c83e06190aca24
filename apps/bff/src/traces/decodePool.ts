import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Span } from '@meshlens/contract';
import { loadWorkerScript } from '@meshlens/telemetry';
import { type DecodeResult, type OtlpPayload, decodeOtlp } from './decode';
import type { DecodeRequest, DecodeResponse } from './decodeProtocol';
import type { ConvertResult } from './otlp';

export interface OtlpDecoder {
  /** spans of an export request, or an error naming what is wrong with its body */
  decode(payload: OtlpPayload): Promise<DecodeResult>;
  /** requests decoded in the worker so far (the rest were small enough to decode inline) */
  readonly offloaded: number;
  /** whether the worker thread is alive now */
  readonly running: boolean;
  close(): Promise<void>;
}

export interface OtlpDecoderOptions {
  /** bodies at least this large are decoded in the worker (default 256 KiB: ~50 ms of CPU) */
  workerAboveBytes?: number;
  /** the worker exits after this long without work, and starts again on demand (default 60 s) */
  idleMs?: number;
}

interface Pending {
  spans: Span[];
  resolve(r: DecodeResult): void;
}

/**
 * Decodes OTLP export requests without stalling the dashboard's API: small bodies (the proxies'
 * frequent batches) inline, where a worker round trip would cost more than it saves; large ones
 * (a collector's 5 MiB batch) in one worker thread started on demand and stopped when idle, so a
 * BFF that receives no large batches pays no extra isolate. A crashed worker fails only the
 * requests it held (500-free: they get an error result) and is replaced on the next request.
 */
export function createOtlpDecoder(opts: OtlpDecoderOptions = {}): OtlpDecoder {
  const threshold = opts.workerAboveBytes ?? 256 * 1024;
  const idleMs = opts.idleMs ?? 60_000;
  let worker: Worker | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let offloaded = 0;

  const failAll = (why: string) => {
    for (const p of pending.values()) p.resolve({ error: `trace decoding failed: ${why}` });
    pending.clear();
  };

  const stop = async (): Promise<void> => {
    clearTimeout(idleTimer);
    const w = worker;
    worker = undefined;
    if (w) await w.terminate();
  };

  // The worker holds the process open only while it has work: an idle one must not keep a
  // shutting-down BFF alive, a busy one must not let it exit under an awaited decode.
  const armIdle = () => {
    clearTimeout(idleTimer);
    if (pending.size > 0) return;
    worker?.unref();
    idleTimer = setTimeout(() => void stop(), idleMs).unref();
  };

  const start = (): Worker => {
    const w = new Worker(
      loadWorkerScript(
        // the BFF's bundle ships the worker beside dist/main.mjs; from source it is built once
        fileURLToPath(new URL('./otlpDecodeWorker.cjs', import.meta.url)),
        fileURLToPath(new URL('./decodeWorker.ts', import.meta.url)),
      ),
      { eval: true },
    );
    w.on('message', (msg: DecodeResponse) => {
      const p = pending.get(msg.id);
      if (!p) return;
      if (msg.type === 'spans') {
        for (const span of msg.spans) p.spans.push(span);
        // ask for the next chunk on the next turn, after whatever else is waiting
        const more: DecodeRequest = { id: msg.id, type: 'more' };
        setImmediate(() => w.postMessage(more));
        return;
      }
      pending.delete(msg.id);
      if (msg.type === 'error') p.resolve({ error: msg.error });
      else {
        const done: ConvertResult = { spans: p.spans, rejected: msg.rejected };
        if (msg.firstError !== undefined) done.firstError = msg.firstError;
        p.resolve(done);
      }
      armIdle();
    });
    const dead = (why: string) => {
      if (worker !== w) return;
      worker = undefined;
      failAll(why);
    };
    w.on('error', (err) => dead(err.message));
    w.on('exit', (code) => dead(`the decode worker exited with code ${code}`));
    return w;
  };

  return {
    get offloaded() {
      return offloaded;
    },
    get running() {
      return worker !== undefined;
    },
    decode(payload) {
      if (payload.bytes.byteLength < threshold) return Promise.resolve(decodeOtlp(payload));
      clearTimeout(idleTimer);
      worker ??= start();
      worker.ref();
      offloaded++;
      const id = nextId++;
      // a pooled Buffer shares its ArrayBuffer with others: copy into an owned one to transfer
      const owned = new Uint8Array(payload.bytes.byteLength);
      owned.set(payload.bytes);
      const msg: DecodeRequest = {
        id,
        type: 'decode',
        payload: { encoding: payload.encoding, bytes: owned },
      };
      return new Promise<DecodeResult>((resolve) => {
        pending.set(id, { spans: [], resolve });
        worker?.postMessage(msg, [owned.buffer]);
      });
    },
    async close() {
      failAll('the BFF is shutting down');
      await stop();
    },
  };
}
