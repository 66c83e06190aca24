/** Thrown for any input that is not a valid exposition; line and column are 1-based. */
export class ExpositionParseError extends Error {
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(`line ${line}, column ${column}: ${message}`);
    this.name = 'ExpositionParseError';
    this.line = line;
    this.column = column;
  }
}

/** Computes line/column only when failing, so the hot path never tracks them. */
export function failAt(text: string, offset: number, message: string): never {
  const at = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  throw new ExpositionParseError(message, line, at - lineStart + 1);
}
