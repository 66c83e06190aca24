import { copyFileSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackendHttp } from '../src/backend/backendHttp';
import { createTestPki } from './helpers/testCa';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('backend TLS files', () => {
  it('picks up a replaced CA file without a restart, for new connections', async () => {
    const pki = createTestPki();
    cleanups.push(() => pki.remove());
    const server = https.createServer(
      { cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) },
      (_req, res) => res.end('{"ok":true}'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    );
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // the mounted CA bundle starts with a CA that did not sign the server's certificate
    const caFile = path.join(pki.dir, 'mounted-ca.crt');
    copyFileSync(pki.otherCaFile, caFile);
    const client = createBackendHttp('prometheus', url, { tls: { caFile, reloadCheckMs: 0 } });
    cleanups.push(() => client.close());

    await expect(client.getJson('/api/v1/query')).rejects.toThrow(
      /^prometheus at https:\/\/127\.0\.0\.1:\d+: TLS error \(/,
    );
    copyFileSync(pki.caFile, caFile); // the Secret is rotated to the right CA
    expect(await client.getJson('/api/v1/query')).toEqual({ ok: true });
  });

  it('refuses a key that does not belong to its certificate, naming the files', () => {
    const pki = createTestPki();
    cleanups.push(() => pki.remove());
    expect(() =>
      createBackendHttp('tempo', 'https://127.0.0.1:3200', {
        tls: { certFile: pki.clientCert, keyFile: pki.serverKey },
      }),
    ).toThrow(`cannot load TLS files ${pki.clientCert}, ${pki.serverKey}: `);
  });
});
