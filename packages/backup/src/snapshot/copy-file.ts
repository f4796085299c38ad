import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Files up to this size are read in one call; bigger ones stream through one buffer of it. */
const CHUNK = 1024 * 1024;

export interface CopiedFile {
  /** The source's stat when it was opened. */
  stat: BigIntStats;
  /** The source's stat after it was read: differs from `stat` when the file changed meanwhile. */
  statAfter: BigIntStats;
  bytes: number;
  sha256: string;
}

/**
 * Copies one file's content, hashing it on the way (one read of the source serves both), into a
 * new file created 0600 so that nothing is ever readable by others before its mode is set. Before
 * the output is closed, `beforeClose` sets its metadata on the still-open handle.
 *
 * Not `copyFile` with COPYFILE_FICLONE: the index needs every copied file's sha256, and reading
 * the file again to hash it would double the reads on filesystems without reflinks.
 */
export async function copyWithHash(
  sourcePath: string,
  destinationPath: string,
  beforeClose: (output: FileHandle, copied: CopiedFile) => Promise<void>,
): Promise<CopiedFile> {
  const input = await open(sourcePath, 'r');
  try {
    const stat = await input.stat({ bigint: true });
    const output = await open(destinationPath, 'wx', 0o600);
    try {
      const hash = createHash('sha256');
      let bytes = 0;
      if (stat.size <= BigInt(CHUNK)) {
        const data = await input.readFile();
        hash.update(data);
        await output.writeFile(data);
        bytes = data.length;
      } else {
        const buffer = Buffer.allocUnsafe(CHUNK);
        for (;;) {
          const { bytesRead } = await input.read(buffer, 0, CHUNK, null);
          if (bytesRead === 0) break;
          hash.update(buffer.subarray(0, bytesRead));
          await output.write(buffer, 0, bytesRead);
          bytes += bytesRead;
        }
      }
      const statAfter = await input.stat({ bigint: true });
      const copied = { stat, statAfter, bytes, sha256: hash.digest('hex') };
      await beforeClose(output, copied);
      return copied;
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}

/** Hashes a file without copying it. */
export async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const input = await open(path, 'r');
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(CHUNK);
    let bytes = 0;
    for (;;) {
      const { bytesRead } = await input.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      bytes += bytesRead;
    }
    return { bytes, sha256: hash.digest('hex') };
  } finally {
    await input.close();
  }
}

/** True when a file changed between two stats (what rsync reports as "file has changed"). */
export function changedBetween(a: BigIntStats, b: BigIntStats): boolean {
  return a.size !== b.size || a.mtimeNs !== b.mtimeNs || a.ctimeNs !== b.ctimeNs;
}
