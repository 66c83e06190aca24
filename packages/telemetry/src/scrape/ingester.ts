import http from 'node:http';
import { ingestScrape } from '../dialects/ingest';
import { emptySeriesState, releaseSeriesState, type SeriesState } from '../dialects/seriesState';
import type { FoldResult, TargetLabels } from '../model';
import { BodyPool, fetchScrape } from './fetchScrape';
import type { WorkerMemory } from './workerProtocol';

/** What bounds one scrape: the whole exchange in time, the decompressed body in bytes. */
export interface ScrapeLimits {
  timeoutMs: number;
  maxBytes: number;
}

/** Parses and folds scrape bodies, remembering each target's previous counter values. */
export interface Ingester {
  ingest(
    targetId: string,
    labels: TargetLabels,
    body: string | Uint8Array,
    contentType: string | undefined,
  ): Promise<FoldResult>;
  /**
   * Fetches a target's /metrics and ingests it on the ingester's own thread: the body is never
   * seen by the caller's. Rejects with the reason fit for the targets page (the fetch's, or
   * `parse error: ...`).
   */
  scrape(
    targetId: string,
    labels: TargetLabels,
    url: string,
    limits: ScrapeLimits,
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

/** A keep-alive agent for the scrapes of one thread (1,000 targets, bounded concurrency). */
export function createScrapeAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 1024 });
}

/** One scrape: fetch, then ingest; a body that does not parse is a `parse error`. */
export async function fetchAndIngest(
  url: string,
  limits: ScrapeLimits,
  agent: http.Agent,
  pool: BodyPool,
  ingest: (body: Buffer, contentType: string | undefined) => FoldResult | Promise<FoldResult>,
): Promise<FoldResult> {
  const fetched = await fetchScrape(url, { ...limits, agent, pool });
  try {
    return await ingest(fetched.body, fetched.contentType);
  } catch (err) {
    throw new Error(`parse error: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    // decoded into a string by now: nothing reads the bytes again
    pool.give(fetched.body);
  }
}

/** Parses on the calling thread, yielding to the event loop between scrapes. */
export function createInlineIngester(limits: IngestLimits = {}): Ingester {
  const states = new Map<string, SeriesState>();
  const agent = createScrapeAgent();
  const pool = new BodyPool();
  const ingester: Ingester = {
    async ingest(targetId, labels, body, contentType) {
      // let timers and sockets run between two large parses
      await new Promise<void>((r) => setImmediate(r));
      const text =
        typeof body === 'string'
          ? body
          : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
      const prev = states.get(targetId) ?? emptySeriesState();
      const { result, state } = ingestScrape(text, contentType, labels, prev, limits.maxSeries);
      states.set(targetId, state);
      if (state !== prev) releaseSeriesState(prev);
      return result;
    },
    scrape(targetId, labels, url, scrapeLimits) {
      return fetchAndIngest(url, scrapeLimits, agent, pool, (body, contentType) =>
        ingester.ingest(targetId, labels, body, contentType),
      );
    },
    forget(targetId) {
      states.delete(targetId);
    },
    workerMemory: () => Promise.resolve([]),
    close() {
      states.clear();
      agent.destroy();
      return Promise.resolve();
    },
  };
  return ingester;
}
