import { parentPort, workerData } from 'node:worker_threads';
import { ingestScrape } from '../dialects/ingest';
import { emptySeriesState, releaseSeriesState, type SeriesState } from '../dialects/seriesState';
import type { FoldResult, TargetLabels } from '../model';
import { BodyPool } from './fetchScrape';
import { createScrapeAgent, fetchAndIngest } from './ingester';
import type { WorkerRequest, WorkerResponse } from './workerProtocol';

/* Worker side of the ingest pool: parse + fold off the main thread, state per target stays here. */
const states = new Map<string, SeriesState>();
const limits: unknown = workerData;
const maxSeries =
  typeof limits === 'object' &&
  limits !== null &&
  'maxSeries' in limits &&
  typeof limits.maxSeries === 'number'
    ? limits.maxSeries
    : undefined;

/** Parses and folds one body against the target's previous counters (throws on bad input). */
function ingest(
  targetId: string,
  labels: TargetLabels,
  bytes: Uint8Array,
  contentType: string | undefined,
): FoldResult {
  const prev = states.get(targetId) ?? emptySeriesState();
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const { result, state } = ingestScrape(body, contentType, labels, prev, maxSeries);
  states.set(targetId, state);
  if (state !== prev) releaseSeriesState(prev);
  return result;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

// Scrapes are fetched here, not on the main thread: the bodies (half a gigabyte a round at 1,000
// targets) never become the main isolate's external memory, which made it run a full collection
// every few dozen scrapes.
const agent = createScrapeAgent();
const pool = new BodyPool();

parentPort?.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'scrape') {
    const { id } = msg;
    fetchAndIngest(msg.url, msg.limits, agent, pool, (body, contentType) =>
      ingest(msg.targetId, msg.labels, body, contentType),
    ).then(
      (result) => parentPort?.postMessage({ id, ok: true, result } satisfies WorkerResponse),
      (err: unknown) =>
        parentPort?.postMessage({ id, ok: false, error: message(err) } satisfies WorkerResponse),
    );
    return;
  }
  if (msg.type === 'forget') {
    states.delete(msg.targetId);
    return;
  }
  if (msg.type === 'memory') {
    // in a worker these figures are this isolate's, not the main thread's
    const { heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    const memory = { heapUsed, heapTotal, external, arrayBuffers };
    parentPort?.postMessage({ id: msg.id, ok: true, memory } satisfies WorkerResponse);
    return;
  }
  let reply: WorkerResponse;
  try {
    const result = ingest(msg.targetId, msg.labels, msg.body, msg.contentType);
    reply = { id: msg.id, ok: true, result };
  } catch (err) {
    reply = { id: msg.id, ok: false, error: message(err) };
  }
  parentPort?.postMessage(reply);
});
