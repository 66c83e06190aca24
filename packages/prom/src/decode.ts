import { ExpositionParseError } from './errors';

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Byte offset of the first invalid UTF-8 sequence (only run once decoding has failed). */
function firstInvalid(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const need =
      b < 0x80
        ? 0
        : b >= 0xc2 && b <= 0xdf
          ? 1
          : b >= 0xe0 && b <= 0xef
            ? 2
            : b >= 0xf0 && b <= 0xf4
              ? 3
              : -1;
    if (need < 0) return i;
    try {
      fatal.decode(bytes.subarray(i, i + need + 1));
    } catch {
      return i;
    }
    i += need + 1;
  }
  return bytes.length;
}

/**
 * Decodes a scrape body as UTF-8, rejecting invalid sequences the way Prometheus rejects invalid
 * UTF-8 label values (a lossy decode would silently turn them into U+FFFD).
 */
export function decodeExposition(bytes: Uint8Array): string {
  try {
    return fatal.decode(bytes);
  } catch {
    const at = firstInvalid(bytes);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at; i++) {
      if (bytes[i] === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    const column = fatal.decode(bytes.subarray(lineStart, at)).length + 1;
    throw new ExpositionParseError('invalid UTF-8', line, column);
  }
}
