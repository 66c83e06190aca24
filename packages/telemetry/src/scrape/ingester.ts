import { ingestScrape } from '../dialects/ingest';
import { emptySeriesState, type SeriesState } from '../dialects/seriesState';
import type { FoldResult, TargetLabels } from '../model';
import type { WorkerMemory } from './workerProtocol';

/** Parses and folds scrape bodies, remembering each target's previous counter values. */
export interface Ingester {
  ingest(
    targetId: string,
    labels: TargetLabels,
    body: string | Uint8Array,
    contentType: string | undefined,
  ): Promise<FoldResult>;
  /** drops a target's state (it was removed or restarted) */
  forget(targetId: string): void;
  /** each parse worker's own heap (none when parsing inline): the memory breakdown */
  workerMemory(): Promise<WorkerMemory[]>;
  close(): Promise<void>;
}

export interface IngestLimits {
  /** series per scrape above which a target is capped (default DEFAULT_MAX_SERIES) */
  maxSeries?: number;
}

/** Parses on the calling thread, yielding to the event loop between scrapes. */
export function createInlineIngester(limits: IngestLimits = {}): Ingester {
  const states = new Map<string, SeriesState>();
  return {
    async ingest(targetId, labels, body, contentType) {
      // let timers and sockets run between two large parses
      await new Promise<void>((r) => setImmediate(r));
      const text =
        typeof body === 'string'
          ? body
          : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
      const { result, state } = ingestScrape(
        text,
        contentType,
        labels,
        states.get(targetId) ?? emptySeriesState(),
        limits.maxSeries,
      );
      states.set(targetId, state);
      return result;
    },
    forget(targetId) {
      states.delete(targetId);
    },
    workerMemory: () => Promise.resolve([]),
    close() {
      states.clear();
      return Promise.resolve();
    },
  };
}
