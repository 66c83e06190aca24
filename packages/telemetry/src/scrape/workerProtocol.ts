import type { FoldResult, TargetLabels } from '../model';
import type { ScrapeLimits } from './ingester';

export type WorkerRequest =
  | {
      type: 'ingest';
      id: number;
      targetId: string;
      labels: TargetLabels;
      /** UTF-8 bytes: transferred, not copied */
      body: Uint8Array;
      contentType: string | undefined;
    }
  | {
      type: 'scrape';
      id: number;
      targetId: string;
      labels: TargetLabels;
      url: string;
      limits: ScrapeLimits;
    }
  | { type: 'forget'; targetId: string }
  | { type: 'memory'; id: number };

/** A worker's own V8 heap and off-heap memory, in bytes (its isolate's process.memoryUsage()). */
export interface WorkerMemory {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export type WorkerResponse =
  | { id: number; ok: true; result: FoldResult }
  | { id: number; ok: false; error: string }
  | { id: number; ok: true; memory: WorkerMemory };
