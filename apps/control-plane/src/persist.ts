import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { endpointSchema } from '@meshlens/cp-client';
import type { Logger } from 'pino';
import * as z from 'zod';
import type { EndpointRegistry } from './registry';

const FILE = 'endpoints.json';
const fileSchema = z.object({ endpoints: z.array(endpointSchema) });

/**
 * Saves the endpoint set to the data dir when it changes and restores it at start (with fresh
 * leases). Without this a restarted control plane would answer watches with empty endpoint
 * lists until every proxy has renewed, and callers would briefly have nowhere to send traffic.
 */
export async function persistRegistry(
  registry: EndpointRegistry,
  dataDir: string,
  logger: Logger,
): Promise<() => Promise<void>> {
  const file = path.join(dataDir, FILE);
  try {
    const saved = fileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    registry.restore(saved.endpoints);
    logger.info(
      { endpoints: saved.endpoints.length },
      'endpoints restored; unrenewed leases expire after one TTL',
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      logger.warn({ err: String(err) }, 'ignoring unreadable endpoints.json');
  }
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const save = () => {
    const text = JSON.stringify({ endpoints: registry.list() });
    writing = writing
      .then(async () => {
        const tmp = `${file}.tmp`;
        await writeFile(tmp, text);
        await rename(tmp, file);
      })
      .catch((err: unknown) => logger.warn({ err: String(err) }, 'cannot save endpoints'));
  };
  const off = registry.onChange(() => {
    clearTimeout(timer);
    timer = setTimeout(save, 100);
  });
  return async () => {
    off();
    if (timer) {
      clearTimeout(timer);
      save();
    }
    await writing;
  };
}
