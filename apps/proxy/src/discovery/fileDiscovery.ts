import { readFile } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { DestinationPolicy, DiscoverySource, EndpointInfo } from './discoverySource';
import { parseDiscoveryFile, type DiscoveryState } from './discoveryFile';

export interface FileDiscoveryOptions {
  file: string;
  logger: { info(o: object, m: string): void; error(o: object, m: string): void };
  onReload?: (result: 'success' | 'failure') => void;
}

/**
 * Static endpoints from a YAML/JSON file. The directory is watched (editors replace files
 * by rename, which a watch on the file itself would miss); an invalid file is reported and
 * the last good state stays in force.
 */
export class FileDiscovery implements DiscoverySource {
  private state: DiscoveryState = {
    byService: new Map(),
    policies: new Map(),
    byAddress: new Map(),
  };
  private loaded = false;
  private lastError: string | undefined;
  private lastText: string | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly opts: FileDiscoveryOptions) {}

  endpoints(service: string): EndpointInfo[] | undefined {
    return this.state.byService.get(service);
  }

  serviceAt(address: string, port: number): string | undefined {
    return this.state.byAddress.get(`${address}:${port}`);
  }

  policy(service: string): DestinationPolicy | undefined {
    return this.state.policies.get(service);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  ready(): boolean {
    return this.loaded;
  }

  /** Throws with a clear message when the first load fails (startup must fail loudly). */
  async start(): Promise<void> {
    const error = await this.reload();
    if (error !== undefined) throw new Error(error);
    const dir = path.dirname(path.resolve(this.opts.file));
    const base = path.basename(this.opts.file);
    this.watcher = watch(dir, (_event, changed) => {
      if (changed !== null && changed !== base) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.reload(), 50);
    });
    this.watcher.on('error', (err) => this.opts.logger.error({ err }, 'discovery watch failed'));
  }

  stop(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
  }

  describe(): unknown {
    return {
      source: 'file',
      file: this.opts.file,
      lastError: this.lastError ?? null,
      services: Object.fromEntries(this.state.byService),
      destinations: Object.fromEntries(this.state.policies),
      addresses: Object.fromEntries(this.state.byAddress),
    };
  }

  /** Returns an error message, or undefined when the file was loaded (or unchanged). */
  async reload(): Promise<string | undefined> {
    let text: string;
    try {
      text = await readFile(this.opts.file, 'utf8');
    } catch (err) {
      return this.fail(`${this.opts.file}: cannot read discovery file: ${(err as Error).message}`);
    }
    if (text === this.lastText) return undefined;
    const result = await parseDiscoveryFile(text, this.opts.file);
    if (!result.ok) return this.fail(result.error);
    this.lastText = text;
    this.state = result.state;
    this.loaded = true;
    this.lastError = undefined;
    this.opts.onReload?.('success');
    this.opts.logger.info(
      { file: this.opts.file, services: result.state.byService.size },
      'discovery file loaded',
    );
    for (const l of this.listeners) l();
    return undefined;
  }

  private fail(message: string): string {
    this.lastError = message;
    this.opts.onReload?.('failure');
    this.opts.logger.error(
      { file: this.opts.file, error: message, keptPrevious: this.loaded },
      'discovery file rejected',
    );
    return message;
  }
}
