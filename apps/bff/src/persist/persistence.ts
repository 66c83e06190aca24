import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { spanSchema, type Span } from '@meshlens/contract';
import { SnapshotFormatError, type TelemetrySource } from '@meshlens/telemetry';
import type { Logger } from 'pino';
import type { TraceStore } from '../traces/store';
import {
  SnapshotFileError,
  moveAside,
  readSnapshotFile,
  writeSnapshotFile,
  type SnapshotKind,
} from './snapshotFile';

/** Bump when the bytes change meaning: an older file is then moved aside, not misread. */
export const STORE_SNAPSHOT: SnapshotKind = { magic: 'MLSTORE\n', version: 1 };
export const TRACE_SNAPSHOT: SnapshotKind = { magic: 'MLTRACE\n', version: 1 };
export const STORE_FILE = 'telemetry.snapshot';
export const TRACE_FILE = 'traces.snapshot';

/** What an embedded source offers (a Prometheus source keeps nothing worth saving). */
interface Snapshottable {
  snapshot(): Iterable<Buffer>;
  restore(bytes: Buffer): void;
}

function snapshottable(source: TelemetrySource): Snapshottable | undefined {
  return 'snapshot' in source && 'restore' in source ? (source as Snapshottable) : undefined;
}

export interface PersistenceOptions {
  dataDir: string;
  source: TelemetrySource;
  logger: Logger;
  now?: () => number;
}

export interface Persistence {
  /** before source.start(): loads the store snapshot (a bad one is moved aside) */
  restoreStore(): void;
  /** loads the trace snapshot into `traces` (a bad one is moved aside) */
  restoreTraces(traces: TraceStore): void;
  /** writes both snapshots now (one at a time: a second call waits for the first) */
  snapshot(traces: TraceStore): Promise<void>;
}

/** JSON lines, one trace (array of spans) per line: streams out and validates span by span. */
function* encodeTraces(traces: TraceStore): Generator<Buffer> {
  let batch: string[] = [];
  for (const spans of traces.traces()) {
    batch.push(JSON.stringify(spans));
    if (batch.length >= 500) {
      yield Buffer.from(`${batch.join('\n')}\n`, 'utf8');
      batch = [];
    }
  }
  if (batch.length > 0) yield Buffer.from(`${batch.join('\n')}\n`, 'utf8');
}

function decodeTraces(body: Buffer): Span[][] {
  const out: Span[][] = [];
  const text = body.toString('utf8');
  let line = 0;
  for (const raw of text.split('\n')) {
    line += 1;
    if (raw === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new SnapshotFormatError(`trace line ${line} is not JSON`);
    }
    const parsed = spanSchema.array().safeParse(value);
    if (!parsed.success) throw new SnapshotFormatError(`trace line ${line} is not a list of spans`);
    out.push(parsed.data);
  }
  return out;
}

export function createPersistence(opts: PersistenceOptions): Persistence {
  const now = opts.now ?? Date.now;
  const log = opts.logger;
  mkdirSync(opts.dataDir, { recursive: true });
  const storeFile = path.join(opts.dataDir, STORE_FILE);
  const traceFile = path.join(opts.dataDir, TRACE_FILE);
  const source = snapshottable(opts.source);
  let running: Promise<void> = Promise.resolve();

  /** Reads and applies one snapshot; anything wrong moves the file aside and starts empty. */
  function load(file: string, kind: SnapshotKind, apply: (body: Buffer) => string): void {
    try {
      const body = readSnapshotFile(file, kind);
      if (body === undefined) return;
      const what = apply(body);
      log.info({ file, bytes: body.length }, `restored ${what}`);
    } catch (err) {
      if (!(err instanceof SnapshotFileError) && !(err instanceof SnapshotFormatError)) throw err;
      const reason = err instanceof SnapshotFileError ? err.reason : err.message;
      const aside = moveAside(file, now());
      log.warn(
        { file, movedTo: aside, reason },
        `snapshot ${file} is unusable (${reason}); moved to ${aside}, starting empty`,
      );
    }
  }

  async function write(traces: TraceStore): Promise<void> {
    const started = now();
    const sizes: Record<string, number> = {};
    if (source)
      sizes.telemetry = await writeSnapshotFile(storeFile, STORE_SNAPSHOT, source.snapshot());
    sizes.traces = await writeSnapshotFile(traceFile, TRACE_SNAPSHOT, encodeTraces(traces));
    log.info({ dir: opts.dataDir, bytes: sizes, ms: now() - started }, 'snapshot written');
  }

  return {
    restoreStore() {
      if (!source) return;
      load(storeFile, STORE_SNAPSHOT, (body) => {
        source.restore(body);
        return 'telemetry store';
      });
    },
    restoreTraces(traces) {
      load(traceFile, TRACE_SNAPSHOT, (body) => {
        const all = decodeTraces(body);
        for (const spans of all) traces.add(spans);
        return `${all.length} traces`;
      });
    },
    snapshot(traces) {
      const next = running.then(() => write(traces));
      // a failed snapshot is logged; the next one tries again
      running = next.catch((err: unknown) => {
        log.error({ err, dir: opts.dataDir }, 'snapshot failed');
      });
      return next;
    },
  };
}
