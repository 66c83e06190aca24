import { open, rename } from 'node:fs/promises';
import { readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * One snapshot file: a 24-byte header (8-byte magic naming what it holds, u32 LE format version,
 * u32 LE CRC-32 of the body, u64 LE body length) and the body. Written to a temp file, fsynced and
 * renamed over the old one (then the folder is fsynced), so a crash leaves the old or the new
 * snapshot, never half of one.
 */
const HEADER = 24;

export class SnapshotFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'SnapshotFileError';
  }
}

export interface SnapshotKind {
  /** exactly 8 ASCII characters */
  magic: string;
  version: number;
}

/** Writes chunks as one snapshot; yields to the event loop between chunks. Returns its size. */
export async function writeSnapshotFile(
  file: string,
  kind: SnapshotKind,
  chunks: Iterable<Buffer>,
): Promise<number> {
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w');
  let length = 0;
  let crc = 0;
  try {
    await fh.write(Buffer.alloc(HEADER), 0, HEADER, 0);
    for (const chunk of chunks) {
      crc = crc32(chunk, crc);
      // copy: a chunk may be a view over live store memory that the next round changes
      await fh.write(Buffer.from(chunk), 0, chunk.length, HEADER + length);
      length += chunk.length;
    }
    const header = Buffer.alloc(HEADER);
    header.write(kind.magic, 0, 8, 'latin1');
    header.writeUInt32LE(kind.version, 8);
    header.writeUInt32LE(crc, 12);
    header.writeBigUInt64LE(BigInt(length), 16);
    await fh.write(header, 0, HEADER, 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  const dir = await open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
  return HEADER + length;
}

/** The body of a snapshot, or undefined when there is none; SnapshotFileError when unusable. */
export function readSnapshotFile(file: string, kind: SnapshotKind): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SnapshotFileError(file, `cannot be read (${(err as NodeJS.ErrnoException).code})`);
  }
  if (bytes.length < HEADER) {
    throw new SnapshotFileError(file, `truncated: ${bytes.length} bytes, shorter than the header`);
  }
  if (bytes.toString('latin1', 0, 8) !== kind.magic) {
    throw new SnapshotFileError(file, `not a meshlens ${kind.magic.trim()} snapshot`);
  }
  const version = bytes.readUInt32LE(8);
  if (version !== kind.version) {
    throw new SnapshotFileError(
      file,
      `format version ${version}, this dashboard reads version ${kind.version}`,
    );
  }
  const length = Number(bytes.readBigUInt64LE(16));
  if (bytes.length - HEADER !== length) {
    throw new SnapshotFileError(
      file,
      `truncated: the body is ${bytes.length - HEADER} bytes, the header says ${length}`,
    );
  }
  const body = bytes.subarray(HEADER);
  if (crc32(body) !== bytes.readUInt32LE(12)) {
    throw new SnapshotFileError(file, 'corrupt: the checksum does not match');
  }
  return body;
}

/** Renames a bad snapshot out of the way (kept for a post-mortem) and returns its new name. */
export function moveAside(file: string, now: number): string {
  const aside = `${file}.bad-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  renameSync(file, aside);
  return aside;
}
