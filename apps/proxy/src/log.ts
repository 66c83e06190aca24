/**
 * The proxy's logger: one JSON object per line on stdout, in pino's format (`level` as pino's
 * number, `time` in epoch ms, the bindings, the fields, `msg`), so the tools that read the other
 * meshlens processes' logs read the sidecar's alike. The proxy logs a few lines per minute at most
 * (start, config and discovery changes, rate-limited warnings); pino and its stream modules were
 * ~0.6 MB of every sidecar's idle memory (issue 11, ADR 0023), so the proxy writes these itself.
 */

export const LOG_LEVELS = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
} as const;

export type LogLevel = keyof typeof LOG_LEVELS;

export interface ProxyLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
  /** The same bindings, another threshold (the `listening` line is written whatever the level). */
  withLevel(level: LogLevel): ProxyLogger;
}

/** An Error as pino's standard serializer writes it; JSON.stringify would give `{}`. */
function errorFields(err: Error): Record<string, unknown> {
  const code = (err as { code?: unknown }).code;
  return {
    type: err.name,
    message: err.message,
    stack: err.stack,
    ...(code === undefined ? {} : { code }),
  };
}

function line(level: number, bindings: string, fields: object, msg: string): string {
  let body: string;
  try {
    body = JSON.stringify(fields, (_key, value: unknown) =>
      value instanceof Error
        ? errorFields(value)
        : typeof value === 'bigint'
          ? String(value)
          : value,
    );
  } catch (err) {
    // a cycle or a throwing toJSON: the line still goes out, saying what was lost
    body = JSON.stringify({ logFieldsError: (err as Error).message });
  }
  const inner = body.length > 2 ? `,${body.slice(1, -1)}` : '';
  return `{"level":${level},"time":${Date.now()}${bindings}${inner},"msg":${JSON.stringify(msg)}}\n`;
}

/**
 * A logger writing to `write` (stdout by default: synchronous for files and pipes on Linux, so
 * the last lines before an exit are not lost). `bindings` go on every line.
 */
export function createLogger(
  level: LogLevel,
  bindings: Record<string, string | number>,
  write: (text: string) => void = (text) => void process.stdout.write(text),
): ProxyLogger {
  const bound =
    Object.keys(bindings).length === 0 ? '' : `,${JSON.stringify(bindings).slice(1, -1)}`;
  const threshold = LOG_LEVELS[level];
  const at = (n: number) =>
    n >= threshold ? (fields: object, msg: string) => write(line(n, bound, fields, msg)) : () => {};
  return {
    info: at(LOG_LEVELS.info),
    warn: at(LOG_LEVELS.warn),
    error: at(LOG_LEVELS.error),
    withLevel: (l) => createLogger(l, bindings, write),
  };
}
