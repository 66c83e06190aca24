import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The shared real test data folder (never copied into the repo). */
export const testdataDir =
  process.env.MESHLENS_TESTDATA ?? path.resolve(repoRoot, '../shared/testdata');

/** In CI a missing folder must fail; elsewhere tests skip and say which folder is missing. */
export function haveTestdata(): boolean {
  if (existsSync(testdataDir)) return true;
  if (process.env.CI === 'true') throw new Error(`test data folder missing: ${testdataDir}`);
  console.warn(`skipping: test data folder missing: ${testdataDir}`);
  return false;
}

export function requireBinary(file: string): boolean {
  if (existsSync(file)) return true;
  if (process.env.CI === 'true') throw new Error(`required binary missing: ${file}`);
  console.warn(`skipping: ${file} is not installed`);
  return false;
}
