/**
 * The OTLP decode worker: large export requests are decoded and converted here, off the event
 * loop that serves the dashboard's API (a 5 MiB protobuf batch takes about a second of CPU).
 */
import { parentPort } from 'node:worker_threads';
import { decodeOtlp } from './decode';
import { type DecodeRequest, type DecodeResponse, SPANS_PER_MESSAGE } from './decodeProtocol';
import type { ConvertResult } from './otlp';

/** decoded requests whose spans are still being handed over, chunk by chunk */
const handing = new Map<number, { result: ConvertResult; next: number }>();

function reply(msg: DecodeResponse): void {
  parentPort?.postMessage(msg);
}

function sendNext(id: number): void {
  const h = handing.get(id);
  if (!h) return;
  const { result } = h;
  if (h.next < result.spans.length) {
    reply({ id, type: 'spans', spans: result.spans.slice(h.next, h.next + SPANS_PER_MESSAGE) });
    h.next += SPANS_PER_MESSAGE;
    return;
  }
  handing.delete(id);
  const done: DecodeResponse = { id, type: 'done', rejected: result.rejected };
  if (result.firstError !== undefined) done.firstError = result.firstError;
  reply(done);
}

parentPort?.on('message', (msg: DecodeRequest) => {
  if (msg.type === 'more') return sendNext(msg.id);
  let result;
  try {
    result = decodeOtlp(msg.payload);
  } catch (err) {
    reply({ id: msg.id, type: 'error', error: err instanceof Error ? err.message : String(err) });
    return;
  }
  if ('error' in result) {
    reply({ id: msg.id, type: 'error', error: result.error });
    return;
  }
  handing.set(msg.id, { result, next: 0 });
  sendNext(msg.id);
});
