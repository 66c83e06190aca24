import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** ../shared/testdata beside the checkout (or MESHLENS_TESTDATA); undefined when absent outside CI. */
export function testdataDir(): string | undefined {
  const dir = process.env.MESHLENS_TESTDATA ?? path.resolve(repoRoot, '../shared/testdata');
  if (existsSync(dir)) return dir;
  if (process.env.CI === 'true')
    throw new Error(`test data folder ${dir} is missing (required in CI)`);
  console.warn(`skipping: test data folder ${dir} not found`);
  return undefined;
}

export function readTestdata(dir: string, file: string): string {
  return readFileSync(path.join(dir, file), 'utf8');
}
