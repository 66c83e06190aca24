import { readFile } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
// The whole package: the YAML parser and the input schema load only for --config-file.
import { formatConfigError, parseMeshConfigText } from '@meshlens/mesh-config';
import type { ConfigStore } from './meshConfigSource';

/**
 * Mesh configuration from a YAML file (when there is no control plane), watched; an invalid
 * change is logged and the previous configuration stays.
 */
export class FileConfigSource {
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private lastText: string | undefined;
  private loads = 0;

  constructor(
    private readonly file: string,
    private readonly store: ConfigStore,
    private readonly logger: {
      info(o: object, m: string): void;
      error(o: object, m: string): void;
    },
    private readonly onReload?: (result: 'success' | 'failure') => void,
  ) {}

  async start(): Promise<void> {
    const error = await this.reload();
    if (error !== undefined) throw new Error(error);
    const base = path.basename(this.file);
    this.watcher = watch(path.dirname(path.resolve(this.file)), (_e, changed) => {
      if (changed !== null && changed !== base) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.reload(), 50);
    });
  }

  stop(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
  }

  async reload(): Promise<string | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      return this.fail(`${this.file}: cannot read mesh config: ${(err as Error).message}`);
    }
    if (text === this.lastText) return undefined;
    const result = parseMeshConfigText(text, this.file);
    if (!result.ok) return this.fail(result.errors.map(formatConfigError).join('; '));
    this.lastText = text;
    this.loads++;
    this.store.set(result.config, `file-${this.loads}`);
    this.onReload?.('success');
    this.logger.info(
      { file: this.file, version: this.store.version, routes: result.config.routes.length },
      'mesh config loaded',
    );
    return undefined;
  }

  private fail(message: string): string {
    this.store.lastError = message;
    this.onReload?.('failure');
    this.logger.error(
      { file: this.file, error: message },
      'mesh config rejected, previous stays in force',
    );
    return message;
  }
}
