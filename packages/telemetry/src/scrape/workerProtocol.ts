import type { FoldResult, TargetLabels } from '../model';

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
  | { type: 'forget'; targetId: string };

export type WorkerResponse =
  { id: number; ok: true; result: FoldResult } | { id: number; ok: false; error: string };
