import type { IncomingMessage } from 'node:http';

export interface FramingProblem {
  status: 400 | 501;
  reason: 'malformed-request' | 'unsupported-transfer-coding';
  /** For the log: what exactly was wrong. */
  detail: string;
}

/**
 * Framing that Node's parser (llhttp, strict) lets through but that a proxy must not forward,
 * because the app, or the proxy itself, could read the message differently. llhttp already
 * refuses Content-Length with Transfer-Encoding, duplicate or list Content-Lengths, obsolete line
 * folding, bare CR/LF and a Transfer-Encoding whose last coding is not chunked; this covers the
 * rest (RFC 9112 sections 3.2 and 6.1).
 *
 * `detached`: the request came as an Upgrade/CONNECT, so any bytes after its head are not a body
 * Node parsed but the start of a tunnel: a body there has two readings and is refused.
 */
export function framingProblem(
  req: IncomingMessage,
  detached: boolean,
): FramingProblem | undefined {
  const te = req.headers['transfer-encoding'];
  const cl = req.headers['content-length'];
  // Node keeps the first Host and drops the others; a second Host could name another service.
  if (hostCount(req.rawHeaders) > 1) return malformed('more than one Host field');
  if (detached && (te !== undefined || (cl !== undefined && cl !== '0'))) {
    return malformed('an Upgrade or CONNECT request with a body');
  }
  if (te === undefined) return undefined;
  if (req.httpVersionMajor === 1 && req.httpVersionMinor === 0) {
    return malformed('Transfer-Encoding in an HTTP/1.0 request');
  }
  const coding = te.trim().toLowerCase();
  if (coding === '') return malformed('an empty Transfer-Encoding');
  // llhttp finds this only once the body starts, after the request was already announced.
  if (!/(^|,)\s*chunked$/.test(coding)) {
    return malformed(`Transfer-Encoding ${coding.slice(0, 40)} (chunked is not last)`);
  }
  if (coding !== 'chunked') {
    // Unambiguous (chunked is last) but the next hop would get chunked-decoded bytes still in
    // the other coding without knowing it: the proxy cannot pass it on faithfully.
    return {
      status: 501,
      reason: 'unsupported-transfer-coding',
      detail: `Transfer-Encoding ${coding.slice(0, 40)}`,
    };
  }
  return undefined;
}

function malformed(detail: string): FramingProblem {
  return { status: 400, reason: 'malformed-request', detail };
}

function hostCount(raw: string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    // The length test and the usual spellings keep the common case free of a lower-cased copy.
    if (name === undefined || name.length !== 4) continue;
    if (name === 'Host' || name === 'host' || name.toLowerCase() === 'host') n++;
  }
  return n;
}
