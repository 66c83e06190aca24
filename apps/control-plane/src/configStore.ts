import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { EventEmitter } from 'node:events';
import {
  EMPTY_MESH_CONFIG,
  formatConfigError,
  loadMeshConfigDir,
  type ConfigError,
  type MeshConfig,
} from '@meshlens/mesh-config';
import type { Logger } from 'pino';

export interface ConfigSnapshot {
  version: string;
  config: MeshConfig;
  loadedAt: Date;
}

export interface ConfigStore {
  current(): ConfigSnapshot;
  lastError(): { at: Date; errors: ConfigError[] } | undefined;
  /** Loads the directory now; resolves with the outcome. Invalid config leaves the current one in force. */
  reload(): Promise<{ ok: true; changed: boolean } | { ok: false; errors: ConfigError[] }>;
  onChange(listener: (s: ConfigSnapshot) => void): () => void;
  onReload(listener: (result: 'applied' | 'unchanged' | 'rejected') => void): () => void;
  close(): void;
}

/** Content-addressed version: the same configuration always has the same version, also across restarts. */
export function configVersion(config: MeshConfig): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
}

/**
 * The configuration directory, versioned and watched. Changes are debounced (editors write a
 * file in several steps) and applied all or nothing.
 */
export async function createConfigStore(opts: {
  dir: string | undefined;
  logger: Logger;
  debounceMs?: number;
}): Promise<ConfigStore> {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let snapshot: ConfigSnapshot = {
    version: configVersion(EMPTY_MESH_CONFIG),
    config: EMPTY_MESH_CONFIG,
    loadedAt: new Date(),
  };
  let lastError: { at: Date; errors: ConfigError[] } | undefined;
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  const load: ConfigStore['reload'] = async () => {
    if (opts.dir === undefined) return { ok: true, changed: false };
    const r = await loadMeshConfigDir(opts.dir);
    if (!r.ok) {
      lastError = { at: new Date(), errors: r.errors };
      opts.logger.error(
        { dir: opts.dir, errors: r.errors.map(formatConfigError), keptVersion: snapshot.version },
        'configuration rejected',
      );
      events.emit('reload', 'rejected');
      return { ok: false, errors: r.errors };
    }
    lastError = undefined;
    const version = configVersion(r.config);
    if (version === snapshot.version) {
      events.emit('reload', 'unchanged');
      return { ok: true, changed: false };
    }
    snapshot = { version, config: r.config, loadedAt: new Date() };
    opts.logger.info(
      {
        version,
        routes: r.config.routes.length,
        authorizationPolicies: r.config.authorizationPolicies.length,
      },
      'configuration applied',
    );
    events.emit('reload', 'applied');
    events.emit('change', snapshot);
    return { ok: true, changed: true };
  };
  // Serialized: two overlapping loads could otherwise apply an older directory state last.
  const reload: ConfigStore['reload'] = () => {
    const next = running.then(load, load);
    running = next;
    return next;
  };

  await reload();
  if (opts.dir !== undefined) {
    watcher = watch(opts.dir, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), opts.debounceMs ?? 150);
    });
    watcher.on('error', (err) =>
      opts.logger.error({ err: err.message }, 'config directory watch failed'),
    );
  }

  return {
    current: () => snapshot,
    lastError: () => lastError,
    reload,
    onChange(listener) {
      events.on('change', listener);
      return () => events.off('change', listener);
    },
    onReload(listener) {
      events.on('reload', listener);
      return () => events.off('reload', listener);
    },
    close() {
      clearTimeout(timer);
      watcher?.close();
      events.removeAllListeners();
    },
  };
}
