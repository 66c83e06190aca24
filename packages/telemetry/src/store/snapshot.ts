import * as z from 'zod';
import { FIXED_COUNTER_COLUMNS, GAUGE_COLUMNS } from '../model';
import { Aggregate } from './aggregate';
import { workloadLabels } from '../model';
import type { TelemetryStore } from './store';

/**
 * The embedded store as bytes, so a restarted BFF answers for the last hour as before.
 *
 * Layout: u32 LE length of a JSON header, the header, zero padding to 8 bytes, then for each
 * aggregate of the header (in order) `slots` rows of `1 + width` float64: the round number and
 * the row. Rows are the committed state: an aggregate's running sums equal its last row, so they
 * are not stored. The framing (version, checksum, length) is the caller's.
 */

const resourceSchema = z.object({ namespace: z.string(), name: z.string() });
const aggregateHeaderSchema = z.object({
  key: z.string(),
  view: z.enum(['workload', 'pod', 'service', 'edge']),
  resource: resourceSchema,
  destination: resourceSchema.extend({ kind: z.enum(['workload', 'service']) }).optional(),
  les: z.array(z.number().or(z.literal('+Inf'))),
  width: z.number().int().positive(),
  slots: z.number().int().nonnegative(),
  exemplars: z.array(
    z.object({
      le: z.number().or(z.literal('+Inf')),
      traceId: z.string(),
      value: z.number(),
      timestampMs: z.number().optional(),
    }),
  ),
  reporters: z.array(z.tuple([z.string(), z.number().int()])),
  clientId: z.string().optional(),
  serverId: z.string().optional(),
  labels: z
    .object({
      app: z.string().optional(),
      version: z.string().optional(),
      cluster: z.string().optional(),
    })
    .optional(),
});
const headerSchema = z.object({
  rounds: z.number().int().nonnegative(),
  times: z.array(z.tuple([z.number().int(), z.number()])),
  aggregates: z.array(aggregateHeaderSchema),
});

/** JSON has no Infinity: the +Inf bucket bound is written as a string. */
const le = (v: number): number | '+Inf' => (v === Number.POSITIVE_INFINITY ? '+Inf' : v);
const unLe = (v: number | '+Inf'): number => (v === '+Inf' ? Number.POSITIVE_INFINITY : v);

export class SnapshotFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotFormatError';
  }
}

/**
 * Encodes the committed rounds of `store` as chunks; one aggregate's rows per chunk so a caller
 * can write them out between scrape rounds without holding the whole store twice. Rows are read
 * when their chunk is produced: a slot overwritten meanwhile is written as round -1 (skipped).
 */
export function* encodeStore(store: TelemetryStore): Generator<Buffer> {
  const last = store.roundCount - 1;
  const first = store.firstRound;
  const aggs = store.list();
  const slotsOf = (agg: Aggregate): number[] => {
    const rounds: number[] = [];
    for (let r = first; r <= last; r++) if (agg.has(r)) rounds.push(r);
    return rounds;
  };
  const roundLists = aggs.map(slotsOf);
  const times: [number, number][] = [];
  for (let r = first; r <= last; r++) times.push([r, store.timeOf(r)]);
  const header = {
    rounds: store.roundCount,
    times,
    aggregates: aggs.map((a, i) => ({
      key: a.key,
      view: a.view,
      resource: a.resource,
      ...(a.destination ? { destination: a.destination } : {}),
      les: a.les.map(le),
      width: a.width,
      slots: roundLists[i]?.length ?? 0,
      exemplars: [...a.exemplars.values()].map((e) => ({ ...e, le: le(e.le) })),
      reporters: [...a.reporters.entries()],
      ...(a.clientId !== undefined ? { clientId: a.clientId } : {}),
      ...(a.serverId !== undefined ? { serverId: a.serverId } : {}),
      ...(a.labels !== undefined ? { labels: a.labels } : {}),
    })),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const head = Buffer.alloc(4 + json.length + ((8 - ((4 + json.length) % 8)) % 8));
  head.writeUInt32LE(json.length, 0);
  json.copy(head, 4);
  yield head;
  for (let i = 0; i < aggs.length; i++) {
    const agg = aggs[i];
    const rounds = roundLists[i] ?? [];
    if (!agg || rounds.length === 0) continue;
    const w = agg.width;
    const out = new Float64Array(rounds.length * (1 + w));
    rounds.forEach((r, j) => {
      const base = j * (1 + w);
      // the layout may have grown (a histogram appeared) since the header was taken
      const ok = agg.width === w && agg.has(r);
      out[base] = ok ? r : -1;
      for (let c = 0; c < w; c++) out[base + 1 + c] = ok ? (agg.value(r, c) ?? 0) : 0;
    });
    yield Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  }
}

/**
 * Loads an encoded store into an empty `store`. Throws SnapshotFormatError naming what is
 * wrong; the store is left untouched then (everything is checked before anything is applied).
 */
export function decodeStore(store: TelemetryStore, bytes: Buffer): void {
  if (store.roundCount > 0 || store.size > 0) throw new Error('decodeStore needs an empty store');
  if (bytes.length < 4) throw new SnapshotFormatError('store snapshot is shorter than its header');
  const jsonLen = bytes.readUInt32LE(0);
  if (4 + jsonLen > bytes.length) throw new SnapshotFormatError('store header is cut short');
  let parsed: z.infer<typeof headerSchema>;
  try {
    const raw: unknown = JSON.parse(bytes.subarray(4, 4 + jsonLen).toString('utf8'));
    parsed = headerSchema.parse(raw);
  } catch (err) {
    throw new SnapshotFormatError(
      `store header is not valid: ${err instanceof Error ? err.message.slice(0, 200) : ''}`,
    );
  }
  for (const h of parsed.aggregates) {
    if (h.width !== FIXED_COUNTER_COLUMNS + h.les.length + GAUGE_COLUMNS)
      throw new SnapshotFormatError(
        `aggregate ${h.key}: width ${h.width} does not match its ${h.les.length} buckets`,
      );
  }
  let offset = 4 + jsonLen + ((8 - ((4 + jsonLen) % 8)) % 8);
  const expected = parsed.aggregates.reduce((n, a) => n + a.slots * (1 + a.width) * 8, 0);
  if (bytes.length - offset !== expected) {
    throw new SnapshotFormatError(
      `store rows are ${bytes.length - offset} bytes, the header announces ${expected}`,
    );
  }
  // copy: the file buffer may not be 8-byte aligned
  const data = new Float64Array(expected / 8);
  Buffer.from(data.buffer).set(bytes.subarray(offset));
  offset = 0;
  const keep = Math.max(0, parsed.rounds - store.capacity);
  const aggregates: Aggregate[] = [];
  for (const h of parsed.aggregates) {
    const agg = new Aggregate(h.key, h.view, h.resource, h.destination, store.capacity);
    agg.restoreLayout(h.les.map(unLe));
    for (let j = 0; j < h.slots; j++, offset += 1 + h.width) {
      const round = data[offset] ?? -1;
      if (round < keep || round >= parsed.rounds) continue;
      agg.restoreRow(round, data.subarray(offset + 1, offset + 1 + h.width));
    }
    for (const e of h.exemplars) {
      const ex = { le: unLe(e.le), traceId: e.traceId, value: e.value };
      agg.exemplars.set(
        ex.le,
        e.timestampMs === undefined ? ex : { ...ex, timestampMs: e.timestampMs },
      );
    }
    for (const [target, round] of h.reporters) agg.reporters.set(target, round);
    if (h.clientId !== undefined) agg.clientId = h.clientId;
    if (h.serverId !== undefined) agg.serverId = h.serverId;
    if (h.labels !== undefined)
      agg.labels = workloadLabels(h.labels.app, h.labels.version, h.labels.cluster);
    if (agg.lastRound >= 0) aggregates.push(agg);
  }
  store.adopt(
    parsed.rounds,
    parsed.times.filter(([r]) => r >= keep),
    aggregates,
  );
}
