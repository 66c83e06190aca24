import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { proxyDir } from './helpers';

/**
 * The sidecar's bundle is what runs beside every pod: prom-client (and what it pulls in:
 * @opentelemetry/api for exemplars, tdigest/bintrees for summaries) cost ~1-1.5 MB of idle RSS
 * per proxy and must not come back through a stray import (ADR 0022).
 */
describe('the proxy bundle', () => {
  it('contains our metrics registry and none of prom-client, tdigest, bintrees, @opentelemetry', async () => {
    const result = await build({
      entryPoints: [path.join(proxyDir, 'src/main.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['koffi'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((p) => p.endsWith('apps/proxy/src/metricsRegistry.ts'))).toBe(true);
    const banned = inputs.filter((p) =>
      /node_modules\/(prom-client|tdigest|bintrees|@opentelemetry)\//.test(p),
    );
    expect(banned).toEqual([]);
  });
});
