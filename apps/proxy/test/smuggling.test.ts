import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMeshProxy, type MeshProxy } from './meshProxy';
import { rawExchange, startRawApp, type RawApp } from './rawHttp';

/**
 * Request smuggling between the proxy and the app: a request whose framing two parsers could
 * read differently is refused with 400 and never forwarded, on both listeners. Raw bytes in,
 * the app's raw bytes asserted.
 */
const ALLOW_ALL = `
apiVersion: meshlens.io/v1alpha1
kind: MeshPolicy
metadata: { name: default }
spec: { defaultAuthorization: allow }
`;
const H = 'Host: reviews.shop\r\n';
const SMUGGLED = `GET /admin HTTP/1.1\r\n${H}\r\n`;

/** Each hides `GET /admin` in what one reading takes for a body and another for a request. */
const AMBIGUOUS: Record<string, string> = {
  'Content-Length with Transfer-Encoding': `POST /c HTTP/1.1\r\n${H}Content-Length: ${5 + SMUGGLED.length}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'Transfer-Encoding with Content-Length': `POST /c HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'two different Content-Lengths': `POST /c HTTP/1.1\r\n${H}Content-Length: 0\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
  'a Content-Length list': `POST /c HTTP/1.1\r\n${H}Content-Length: 0, ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
  'obsolete line folding': `POST /c HTTP/1.1\r\n${H}X-Note: a\r\n b\r\nContent-Length: 0\r\n\r\n${SMUGGLED}`,
  'obsolete line folding of Transfer-Encoding': `POST /c HTTP/1.1\r\n${H}Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'Transfer-Encoding chunked, gzip (chunked not last)': `POST /c HTTP/1.1\r\n${H}Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'Transfer-Encoding gzip (no chunked)': `POST /c HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'Transfer-Encoding on two lines': `POST /c HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'an empty Transfer-Encoding': `POST /c HTTP/1.1\r\n${H}Transfer-Encoding: \r\n\r\n${SMUGGLED}`,
  'Transfer-Encoding in HTTP/1.0': `POST /c HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'a WebSocket upgrade with a body (body or tunnel bytes?)': `GET /ws HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
};

let app: RawApp;
let proxy: MeshProxy;

beforeAll(async () => {
  app = await startRawApp();
  proxy = await startMeshProxy({
    service: 'reviews',
    config: ALLOW_ALL,
    appPort: app.port,
    endpoints: [{ namespace: 'shop', service: 'reviews', address: '127.0.0.1', port: app.port }],
  });
});

afterAll(async () => {
  await proxy?.stop();
  await app?.close();
});

const listeners = ['inbound', 'outbound'] as const;

describe.each(listeners)('%s listener', (listener) => {
  it.each(Object.keys(AMBIGUOUS))('%s: 400, connection closed, nothing forwarded', async (name) => {
    const before = app.received().length;
    const x = await rawExchange(proxy[listener], AMBIGUOUS[name] ?? '', { responses: 2 });
    expect(x.responses.map((r) => [r.status, r.headers['x-meshlens-proxy-error']])).toEqual([
      [400, 'malformed-request'],
    ]);
    expect(x.closed).toBe(true);
    expect(app.received().slice(before)).toBe('');
  });

  it('answers a transfer coding it cannot pass on (gzip, chunked) with 501, nothing forwarded', async () => {
    const before = app.received().length;
    const x = await rawExchange(
      proxy[listener],
      `POST /c HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n`,
      { responses: 1 },
    );
    expect(x.responses.map((r) => [r.status, r.headers['x-meshlens-proxy-error']])).toEqual([
      [501, 'unsupported-transfer-coding'],
    ]);
    expect(app.received().slice(before)).toBe('');
  });

  it('forwards unambiguous chunked and sized bodies framed one way only (control)', async () => {
    let before = app.received().length;
    const chunkedReply = await rawExchange(
      proxy[listener],
      `POST /c HTTP/1.1\r\n${H}Transfer-Encoding: Chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n`,
      { responses: 1 },
    );
    expect(chunkedReply.responses.map((r) => r.status)).toEqual([200]);
    const chunked = app.received().slice(before);
    expect(chunked).toMatch(/^POST \/c HTTP\/1\.1\r\n/);
    expect(chunked.match(/\r\ntransfer-encoding: /gi)?.length).toBe(1);
    expect(chunked).not.toMatch(/\r\ncontent-length:/i);
    expect(chunked).toMatch(/\r\n\r\n4\r\nabcd\r\n0\r\n\r\n$/);
    before = app.received().length;
    const sizedReply = await rawExchange(
      proxy[listener],
      `PUT /d HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nxyz`,
      { responses: 1 },
    );
    expect(sizedReply.responses.map((r) => r.status)).toEqual([200]);
    const sized = app.received().slice(before);
    expect(sized).toMatch(/^PUT \/d HTTP\/1\.1\r\n/);
    expect(sized.match(/\r\ncontent-length: 3\r\n/gi)?.length).toBe(1);
    expect(sized).not.toMatch(/\r\ntransfer-encoding:/i);
    expect(sized).toMatch(/\r\n\r\nxyz$/);
  });
});
