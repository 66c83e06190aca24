import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSnapshotFile, writeSnapshotFile } from './snapshotFile';

const dir = mkdtempSync(path.join(tmpdir(), 'snapshot-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KIND = { magic: 'MLTEST1\n', version: 3 };

describe('snapshot files', () => {
  it('reads back what was written, from several chunks', async () => {
    const file = path.join(dir, 'ok.snapshot');
    const size = await writeSnapshotFile(file, KIND, [Buffer.from('hello '), Buffer.from('world')]);
    expect(size).toBe(24 + 11);
    expect(readSnapshotFile(file, KIND)?.toString()).toBe('hello world');
    expect(readSnapshotFile(path.join(dir, 'none.snapshot'), KIND)).toBeUndefined();
  });

  it('names what is wrong: another format version, another kind, cut short, corrupt', async () => {
    const file = path.join(dir, 'bad.snapshot');
    await writeSnapshotFile(file, { ...KIND, version: 2 }, [Buffer.from('old')]);
    expect(() => readSnapshotFile(file, KIND)).toThrow(
      `${file}: format version 2, this dashboard reads version 3`,
    );
    await writeSnapshotFile(file, { ...KIND, magic: 'OTHER..\n' }, [Buffer.from('x')]);
    expect(() => readSnapshotFile(file, KIND)).toThrow(`${file}: not a meshlens MLTEST1 snapshot`);
    await writeSnapshotFile(file, KIND, [Buffer.from('0123456789')]);
    const good = readFileSync(file);
    writeFileSync(file, good.subarray(0, good.length - 4));
    expect(() => readSnapshotFile(file, KIND)).toThrow(
      `${file}: truncated: the body is 6 bytes, the header says 10`,
    );
    good[30] = 0x41;
    writeFileSync(file, good);
    expect(() => readSnapshotFile(file, KIND)).toThrow(
      `${file}: corrupt: the checksum does not match`,
    );
  });
});
