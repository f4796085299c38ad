import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, writeFileSync, type BigIntStats } from 'node:fs';
import { open } from 'node:fs/promises';
import { applyToFd, applyToHandle } from './entry-metadata.js';
import type { IndexEntry } from './snapshot-index.js';

/** Files up to this size are read in one call; bigger ones stream through one buffer of it. */
const CHUNK = 1024 * 1024;

/**
 * Files up to this size are copied with synchronous calls (in the caller's time slices): for a
 * small file the thread-pool round trips of ten async calls cost more than the copy itself.
 */
export const SMALL_FILE = 256 * 1024;

export interface CopiedFile {
  /** The source's stat when it was opened. */
  stat: BigIntStats;
  /** The source's stat after it was read: differs from `stat` when the file changed meanwhile. */
  statAfter: BigIntStats;
  bytes: number;
  sha256: string;
}

/** Given what was read, the metadata to give the copy, or undefined to leave it (it will be copied again). */
export type MetadataFor = (copied: CopiedFile) => IndexEntry | undefined;

/*
 * Copies one file's content, hashing it on the way (one read of the source serves both), into a
 * new file created 0600 so that nothing is ever readable by others before its mode is set; the
 * metadata goes on through the still-open descriptor.
 *
 * Not `copyFile` with COPYFILE_FICLONE: the index needs every copied file's sha256, and reading
 * the file again to hash it would double the reads on filesystems without reflinks.
 */

export async function copyWithHash(
  sourcePath: string,
  destinationPath: string,
  metadataFor: MetadataFor,
): Promise<CopiedFile> {
  const input = await open(sourcePath, 'r');
  try {
    const stat = await input.stat({ bigint: true });
    const output = await open(destinationPath, 'wx', 0o600);
    try {
      const hash = createHash('sha256');
      let bytes = 0;
      const buffer = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        const { bytesRead } = await input.read(buffer, 0, CHUNK, null);
        if (bytesRead === 0) break;
        hash.update(buffer.subarray(0, bytesRead));
        await output.write(buffer, 0, bytesRead);
        bytes += bytesRead;
      }
      const copied = { stat, statAfter: await input.stat({ bigint: true }), bytes, sha256: hash.digest('hex') };
      const entry = metadataFor(copied);
      if (entry) await applyToHandle(output, entry);
      return copied;
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}

/** The same for a small file, blocking: call it between `TimeSlicer.tick()`s. */
export function copyWithHashSync(sourcePath: string, destinationPath: string, metadataFor: MetadataFor): CopiedFile {
  const input = openSync(sourcePath, 'r');
  try {
    const stat = fstatSync(input, { bigint: true });
    const output = openSync(destinationPath, 'wx', 0o600);
    try {
      const data = readFileSync(input);
      writeFileSync(output, data);
      const copied = {
        stat,
        statAfter: fstatSync(input, { bigint: true }),
        bytes: data.length,
        sha256: createHash('sha256').update(data).digest('hex'),
      };
      const entry = metadataFor(copied);
      if (entry) applyToFd(output, entry);
      return copied;
    } finally {
      closeSync(output);
    }
  } finally {
    closeSync(input);
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
