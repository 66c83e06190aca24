// Number syntax shared by both formats: what Go's strconv.ParseFloat accepts minus hex floats and
// underscores (Prometheus rejects those), i.e. [+-]digits[.digits][e[+-]digits], [+-]Inf/Infinity,
// NaN, case-insensitively for the words. Returns undefined for anything else.

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
  1e18, 1e19, 1e20, 1e21, 1e22,
];

export function parseNumber(s: string, start: number, end: number): number | undefined {
  if (start >= end) return undefined;
  let i = start;
  let c = s.charCodeAt(i);
  let negative = false;
  if (c === 43 || c === 45) {
    negative = c === 45;
    i++;
    if (i >= end) return undefined;
    c = s.charCodeAt(i);
  }
  if (c > 57) return parseWord(s, start, i, end, negative);
  let mantissa = 0;
  let digits = 0;
  let significant = 0;
  let scale = 0;
  for (; i < end; i++) {
    c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    digits++;
    if (significant > 0 || c !== 48) significant++;
    mantissa = mantissa * 10 + (c - 48);
  }
  if (c === 46 && i < end) {
    for (i++; i < end; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      digits++;
      if (significant > 0 || c !== 48) significant++;
      mantissa = mantissa * 10 + (c - 48);
      scale--;
    }
  }
  if (digits === 0) return undefined;
  if (i < end && (c === 101 || c === 69)) {
    i++;
    let expNegative = false;
    c = s.charCodeAt(i);
    if (c === 43 || c === 45) {
      expNegative = c === 45;
      i++;
    }
    let exp = 0;
    let expDigits = 0;
    for (; i < end; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
      expDigits++;
      if (exp < 100000) exp = exp * 10 + (c - 48);
    }
    if (expDigits === 0) return undefined;
    scale += expNegative ? -exp : exp;
  }
  if (i !== end) return undefined;
  // Exact fast path (Clinger): mantissa < 2^53 and a power of ten that is itself exact.
  if (significant <= 15 && scale >= -22 && scale <= 22) {
    const v = scale < 0 ? mantissa / (POW10[-scale] ?? 1) : mantissa * (POW10[scale] ?? 1);
    return negative ? -v : v;
  }
  const v = Number(s.slice(start, end));
  // Go reports overflow as an error (ErrRange), and so does Prometheus.
  return Number.isFinite(v) ? v : undefined;
}

function parseWord(
  s: string,
  start: number,
  i: number,
  end: number,
  negative: boolean,
): number | undefined {
  const word = s.slice(i, end).toLowerCase();
  if (word === 'inf' || word === 'infinity') return negative ? -Infinity : Infinity;
  if (word === 'nan' && i === start) return NaN;
  return undefined;
}

/** Text-format timestamp: optional minus, decimal digits, within int64 milliseconds. */
export function parseIntTimestamp(s: string, start: number, end: number): number | undefined {
  let i = start;
  let negative = false;
  if (s.charCodeAt(i) === 45) {
    negative = true;
    i++;
  }
  if (i >= end || end - i > 19) return undefined;
  let v = 0;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    v = v * 10 + (c - 48);
  }
  if (v > 9.223372036854776e18) return undefined;
  return negative ? -v : v;
}
