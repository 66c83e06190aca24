import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

export interface TraceContext {
  traceId: string; // 32 hex
  parentSpanId: string | undefined; // 16 hex
  sampled: boolean | undefined; // undefined: the parent did not decide
  tracestate: string | undefined;
  format: 'w3c' | 'b3-single' | 'b3-multi' | 'none';
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Reads W3C traceparent/tracestate, else B3 single (`b3`), else B3 multi headers. */
export function extractContext(headers: IncomingHttpHeaders): TraceContext | undefined {
  const tp = header(headers, 'traceparent');
  if (tp !== undefined) {
    const m = TRACEPARENT.exec(tp.trim().toLowerCase());
    if (m !== null && m[1] !== 'ff' && m[2] !== ZERO_TRACE && m[3] !== ZERO_SPAN) {
      return {
        traceId: m[2] ?? '',
        parentSpanId: m[3],
        sampled: (parseInt(m[4] ?? '0', 16) & 1) === 1,
        tracestate: header(headers, 'tracestate'),
        format: 'w3c',
      };
    }
  }
  const b3 = header(headers, 'b3');
  if (b3 !== undefined) {
    const parts = b3.trim().toLowerCase().split('-');
    const [traceId, spanId, flag] = parts;
    if (parts.length === 1 && (traceId === '0' || traceId === 'd' || traceId === '1')) {
      return undefined; // sampling-only header: treat as no parent, decision below
    }
    if (traceId !== undefined && spanId !== undefined && isHex(traceId) && isHex(spanId, 16)) {
      return {
        traceId: traceId.padStart(32, '0'),
        parentSpanId: spanId,
        sampled: flag === undefined ? undefined : flag === '1' || flag === 'd',
        tracestate: undefined,
        format: 'b3-single',
      };
    }
  }
  const tid = header(headers, 'x-b3-traceid')?.toLowerCase();
  const sid = header(headers, 'x-b3-spanid')?.toLowerCase();
  if (tid !== undefined && sid !== undefined && isHex(tid) && isHex(sid, 16)) {
    const s = header(headers, 'x-b3-sampled');
    const debug = header(headers, 'x-b3-flags') === '1';
    return {
      traceId: tid.padStart(32, '0'),
      parentSpanId: sid,
      sampled: debug ? true : s === undefined ? undefined : s === '1' || s === 'true',
      tracestate: undefined,
      format: 'b3-multi',
    };
  }
  return undefined;
}

function isHex(s: string, maxLen = 32): boolean {
  return (s.length === 16 || s.length === maxLen) && /^[0-9a-f]+$/.test(s) && !/^0+$/.test(s);
}

export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

export function newSpanId(): string {
  return randomBytes(8).toString('hex');
}

export const TRACE_HEADERS = [
  'traceparent',
  'tracestate',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
];

/**
 * Writes the context for the next hop: always W3C, plus B3 in the format it arrived in,
 * so apps that only know B3 keep working.
 */
export function injectContext(
  headers: OutgoingHttpHeaders,
  ctx: { traceId: string; spanId: string; sampled: boolean; tracestate: string | undefined },
  format: TraceContext['format'],
): void {
  // delete only what is there: deleting absent keys still turns the object into a slow dictionary.
  for (const h of TRACE_HEADERS) if (headers[h] !== undefined) delete headers[h];
  headers.traceparent = `00-${ctx.traceId}-${ctx.spanId}-${ctx.sampled ? '01' : '00'}`;
  if (ctx.tracestate !== undefined) headers.tracestate = ctx.tracestate;
  if (format === 'b3-single')
    headers.b3 = `${ctx.traceId}-${ctx.spanId}-${ctx.sampled ? '1' : '0'}`;
  if (format === 'b3-multi') {
    headers['x-b3-traceid'] = ctx.traceId;
    headers['x-b3-spanid'] = ctx.spanId;
    headers['x-b3-sampled'] = ctx.sampled ? '1' : '0';
  }
}
