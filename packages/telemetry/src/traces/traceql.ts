import type { TraceSearch } from './traceSource';

/** A TraceQL string literal: every value comes from a user, so quotes and controls are escaped. */
export function traceqlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** `.http.status_code`, or `."odd key"` for names TraceQL would not read as one attribute. */
export function traceqlAttribute(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.:/-]*$/.test(key) ? `.${key}` : `.${traceqlString(key)}`;
}

/** Tag values look like strings on our API; numbers and booleans are typed in Tempo. */
function traceqlValue(v: string): string {
  if (/^-?\d+(\.\d+)?$/.test(v) && Number.isFinite(Number(v))) return v;
  if (v === 'true' || v === 'false') return v;
  return traceqlString(v);
}

/** TraceQL duration in whole microseconds, exact for any millisecond value we accept. */
export function traceqlDuration(ms: number): string {
  return `${Math.round(ms * 1000)}us`;
}

/**
 * One spanset selecting traces like the other sources do: a span of `service` named `operation`
 * carrying the tags (and an error, when asked); trace duration bounds on the whole trace.
 */
export function buildTraceQL(q: TraceSearch): string {
  const conds: string[] = [];
  if (q.service !== undefined) conds.push(`resource.service.name = ${traceqlString(q.service)}`);
  if (q.operation !== undefined) conds.push(`name = ${traceqlString(q.operation)}`);
  for (const [k, v] of Object.entries(q.tags ?? {}))
    conds.push(`${traceqlAttribute(k)} = ${traceqlValue(v)}`);
  if (q.error === true)
    conds.push(
      '(status = error || span.http.status_code >= 500 || span.http.response.status_code >= 500)',
    );
  if (q.minDurationMs !== undefined)
    conds.push(`traceDuration >= ${traceqlDuration(q.minDurationMs)}`);
  if (q.maxDurationMs !== undefined)
    conds.push(`traceDuration <= ${traceqlDuration(q.maxDurationMs)}`);
  return conds.length === 0 ? '{}' : `{ ${conds.join(' && ')} }`;
}
