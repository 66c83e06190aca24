const HEX_RE = /^[0-9a-fA-F]+$/;
const BASE64_RE = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Normalizes a trace/span id to lowercase hex of `bytes` bytes. OTLP/JSON says hex, but producers
 * that use the protobuf JSON mapping send base64; Zipkin may send 64-bit trace ids (left-padded).
 * Returns undefined for anything else, including the all-zero (invalid) id.
 */
export function normalizeId(raw: string, bytes: 8 | 16): string | undefined {
  const hexLen = bytes * 2;
  let hex: string | undefined;
  if (HEX_RE.test(raw) && (raw.length === hexLen || (bytes === 16 && raw.length === 16))) {
    hex = raw.toLowerCase().padStart(hexLen, '0');
  } else if (BASE64_RE.test(raw)) {
    const buf = Buffer.from(raw, raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64');
    if (buf.length === bytes) hex = buf.toString('hex');
  }
  if (hex === undefined || /^0+$/.test(hex)) return undefined;
  return hex;
}
