import { createRequire } from 'node:module';
import type * as Http2 from 'node:http2';

let loaded: typeof Http2 | undefined;

/**
 * `node:http2`, loaded on first use: its module, `assert` behind it and nghttp2's setup are
 * ~0.4-0.5 MB of RSS that a sidecar whose app and peers have not spoken HTTP/2 yet does not need
 * (issue 11, ADR 0023). A synchronous require, so the first h2 connection waits for nothing.
 */
export function http2(): typeof Http2 {
  loaded ??= createRequire(import.meta.url)('node:http2') as typeof Http2;
  return loaded;
}

/** RST_STREAM codes (RFC 9113 section 7), without loading the module for two numbers. */
export const REFUSED_STREAM = 0x7;
export const CANCEL = 0x8;
