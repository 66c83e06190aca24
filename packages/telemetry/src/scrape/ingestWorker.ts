import { parentPort, workerData } from 'node:worker_threads';
import { ingestScrape } from '../dialects/ingest';
import { emptySeriesState, type SeriesState } from '../dialects/seriesState';
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

parentPort?.on('message', (msg: WorkerRequest) => {
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
    const prev = states.get(msg.targetId) ?? emptySeriesState();
    const body = Buffer.from(msg.body.buffer, msg.body.byteOffset, msg.body.byteLength).toString(
      'utf8',
    );
    const { result, state } = ingestScrape(body, msg.contentType, msg.labels, prev, maxSeries);
    states.set(msg.targetId, state);
    reply = { id: msg.id, ok: true, result };
  } catch (err) {
    reply = { id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
