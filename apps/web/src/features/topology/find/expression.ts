/*
 * The find/hide language of the graph toolbar: `rps > 1`, `sr < 95`, `p99 > 500ms`, `ns = shop`,
 * `name ~ reviews`, `mtls = false`, `idle`, combined with `and`, `or`, `not` and parentheses.
 * Parsed once into a predicate; errors name the problem and where it is (a column, from 1).
 */

/** What an expression can ask about a node (one graph node: a resource or a collapsed box). */
export interface NodeFacts {
  namespace: string;
  name: string;
  rps: number;
  /** success rate in percent (0..100), null without traffic */
  sr: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** false when any edge of the node is plaintext, null when it has no edge with a known state */
  mtls: boolean | null;
}

export type Predicate = (n: NodeFacts) => boolean;

export type ParseResult = { ok: true; predicate: Predicate } | { ok: false; error: string };

type Token =
  | { t: 'word'; v: string; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'paren'; v: '(' | ')'; at: number }
  | { t: 'string'; v: string; at: number };

const NUMERIC_FIELDS = ['rps', 'sr', 'p50', 'p95', 'p99'] as const;
const TEXT_FIELDS = ['ns', 'name'] as const;
type NumericField = (typeof NUMERIC_FIELDS)[number];
type TextField = (typeof TEXT_FIELDS)[number];
const FIELDS = [...NUMERIC_FIELDS, ...TEXT_FIELDS, 'mtls', 'idle'].join(', ');

class ExprError extends Error {}

function fail(message: string, at: number): never {
  throw new ExprError(`${message} (at column ${at + 1})`);
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ t: 'paren', v: c, at: i });
      i++;
    } else if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) fail('unterminated quoted value', i);
      out.push({ t: 'string', v: src.slice(i + 1, end), at: i });
      i = end + 1;
    } else if ('<>=!~'.includes(c)) {
      const two = src.slice(i, i + 2);
      const op = ['>=', '<=', '!=', '=='].includes(two) ? two : c;
      if (op === '!') fail('"!" must be followed by "=" (use "not" to negate)', i);
      out.push({ t: 'op', v: op === '==' ? '=' : op, at: i });
      i += op.length;
    } else {
      const m = /^[^\s()<>=!~"']+/.exec(src.slice(i));
      const v = m?.[0] ?? c;
      out.push({ t: 'word', v, at: i });
      i += v.length;
    }
  }
  return out;
}

/** `500ms`, `1.5s`, `2m`, or a bare number of milliseconds. */
function parseDuration(v: string, at: number): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v);
  if (!m?.[1]) fail(`"${v}" is not a duration (examples: 500ms, 1.5s, 250)`, at);
  const unit = m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1;
  return Number(m[1]) * unit;
}

function parseNumber(field: NumericField, v: string, at: number): number {
  if (field.startsWith('p')) return parseDuration(v, at);
  const n = Number(v.replace(/%$/, ''));
  if (v === '' || !Number.isFinite(n)) fail(`"${v}" is not a number`, at);
  return n;
}

function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '=':
      return a === b;
    default:
      return a !== b;
  }
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  parse(): Predicate {
    if (this.tokens.length === 0) fail('empty expression', 0);
    const p = this.or();
    const extra = this.peek();
    if (extra) fail(`unexpected "${extra.v}"; join conditions with "and" or "or"`, extra.at);
    return p;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private next(what: string): Token {
    const t = this.tokens[this.i++];
    if (!t) fail(`expected ${what} at the end`, this.length);
    return t;
  }

  private keyword(k: string): boolean {
    const t = this.peek();
    if (t?.t === 'word' && t.v.toLowerCase() === k) {
      this.i++;
      return true;
    }
    return false;
  }

  private or(): Predicate {
    const parts = [this.and()];
    while (this.keyword('or')) parts.push(this.and());
    return parts.length === 1 ? (parts[0] as Predicate) : (n) => parts.some((p) => p(n));
  }

  private and(): Predicate {
    const parts = [this.unary()];
    while (this.keyword('and')) parts.push(this.unary());
    return parts.length === 1 ? (parts[0] as Predicate) : (n) => parts.every((p) => p(n));
  }

  private unary(): Predicate {
    if (this.keyword('not')) {
      const p = this.unary();
      return (n) => !p(n);
    }
    return this.primary();
  }

  private primary(): Predicate {
    const t = this.next('a condition');
    if (t.t === 'paren' && t.v === '(') {
      const p = this.or();
      const close = this.next('")"');
      if (close.t !== 'paren' || close.v !== ')')
        fail(`expected ")" but found "${close.v}"`, close.at);
      return p;
    }
    if (t.t !== 'word') fail(`expected a field (${FIELDS}) but found "${t.v}"`, t.at);
    const field = t.v.toLowerCase();
    if (field === 'idle') return (n) => n.rps <= 0;
    const op = this.next(`an operator after "${t.v}"`);
    if (op.t !== 'op') fail(`expected an operator (>, >=, <, <=, =, !=, ~) after "${t.v}"`, op.at);
    const value = this.next(`a value after "${op.v}"`);
    if (value.t === 'paren' || value.t === 'op')
      fail(`expected a value but found "${value.v}"`, value.at);
    return this.condition(field, t.at, op, value);
  }

  private condition(field: string, at: number, op: Token, value: Token): Predicate {
    if ((NUMERIC_FIELDS as readonly string[]).includes(field)) {
      const f = field as NumericField;
      if (op.v === '~') fail(`"~" matches text; ${f} is a number`, op.at);
      const target = parseNumber(f, value.v, value.at);
      return (n) => {
        const v = n[f];
        return v !== null && compare(op.v, v, target);
      };
    }
    if ((TEXT_FIELDS as readonly string[]).includes(field)) {
      const key = (field as TextField) === 'ns' ? 'namespace' : 'name';
      const target = value.v.toLowerCase();
      if (op.v === '~') return (n) => n[key].toLowerCase().includes(target);
      if (op.v === '=') return (n) => n[key].toLowerCase() === target;
      if (op.v === '!=') return (n) => n[key].toLowerCase() !== target;
      fail(`${field} takes =, != or ~ (contains), not "${op.v}"`, op.at);
    }
    if (field === 'mtls') {
      const v = value.v.toLowerCase();
      if (v !== 'true' && v !== 'false') fail(`mtls is true or false, not "${value.v}"`, value.at);
      if (op.v !== '=' && op.v !== '!=') fail(`mtls takes = or !=, not "${op.v}"`, op.at);
      const want = (v === 'true') === (op.v === '=');
      return (n) => n.mtls !== null && n.mtls === want;
    }
    return fail(`unknown field "${field}"; fields are ${FIELDS}`, at);
  }
}

/** Parses a find/hide expression; the error says what is wrong and at which column. */
export function parseExpression(src: string): ParseResult {
  try {
    return { ok: true, predicate: new Parser(tokenize(src), src.length).parse() };
  } catch (err) {
    if (err instanceof ExprError) return { ok: false, error: err.message };
    throw err;
  }
}
