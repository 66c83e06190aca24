// Character classes as lookup tables: one array read per character on the hot path.
const NAME_START = new Uint8Array(128);
const NAME_CHAR = new Uint8Array(128);
const LABEL_START = new Uint8Array(128);
const LABEL_CHAR = new Uint8Array(128);

for (let c = 0; c < 128; c++) {
  const alpha = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  const digit = c >= 48 && c <= 57;
  LABEL_START[c] = alpha ? 1 : 0;
  LABEL_CHAR[c] = alpha || digit ? 1 : 0;
  NAME_START[c] = alpha || c === 58 ? 1 : 0;
  NAME_CHAR[c] = alpha || digit || c === 58 ? 1 : 0;
}

export const isNameStart = (c: number): boolean => c < 128 && NAME_START[c] === 1;
export const isNameChar = (c: number): boolean => c < 128 && NAME_CHAR[c] === 1;
export const isLabelStart = (c: number): boolean => c < 128 && LABEL_START[c] === 1;
export const isLabelChar = (c: number): boolean => c < 128 && LABEL_CHAR[c] === 1;

export const NL = 10;
export const SP = 32;
export const TAB = 9;
export const QUOTE = 34;
export const HASH = 35;
export const BACKSLASH = 92;
export const LBRACE = 123;
export const RBRACE = 125;
export const COMMA = 44;
export const EQUALS = 61;

/** Counts Unicode code points (runes), as the OpenMetrics exemplar limit does. */
export function runeLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

/** Sets a label without letting `__proto__` touch the prototype (label names are untrusted). */
export function setLabel(labels: Record<string, string>, name: string, value: string): void {
  if (name === '__proto__') {
    Object.defineProperty(labels, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    labels[name] = value;
  }
}

/** Linear scan for the usual few labels; a property lookup keeps huge label sets linear. */
export function isDuplicate(
  names: string[],
  count: number,
  labels: Record<string, string>,
  name: string,
): boolean {
  if (count > 16) return Object.hasOwn(labels, name);
  for (let k = 0; k < count; k++) if (names[k] === name) return true;
  return false;
}
