import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** ../shared/testdata beside the checkout (or MESHLENS_TESTDATA); CI always has it. */
export const testdataDir =
  process.env['MESHLENS_TESTDATA'] ??
  fileURLToPath(new URL('../../../../shared/testdata/', import.meta.url));

export function testdata(path: string): string {
  const file = `${testdataDir.replace(/\/?$/, '/')}${path}`;
  if (!existsSync(file))
    throw new Error(`test data missing: ${file} (see /work/shared/testdata/README.md)`);
  return readFileSync(file, 'utf8');
}
