import { createWriteStream } from 'node:fs';
import { chmod, lutimes, mkdir, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { seconds } from '../snapshot/entry-metadata.js';
import { DigestStream } from '../storage/digest-stream.js';
import { StorageNotFoundError } from '../storage/errors.js';
import type { Storage } from '../storage/storage.js';
import { RemoteIntegrityError } from './errors.js';
import { mapLimit } from './map-limit.js';
import type { TreeEntry, TreeLayout } from './tree-layout.js';
import { readTree } from './tree-read.js';

const FILES_AT_ONCE = 4;

/**
 * Recreates snapshot `id` in `targetDir` (which must not exist): folders, files, symlinks, then
 * modes and times, deepest folder last. Every object is hashed as it is written and compared with
 * the index; a difference, or an object that is missing, is a `RemoteIntegrityError` naming the
 * snapshot and the file. The caller removes `targetDir` when this throws.
 */
export async function pullTree(storage: Storage, layout: TreeLayout, id: string, targetDir: string): Promise<void> {
  const { entries } = await readTree(storage, layout, id);
  const at = (entry: TreeEntry): string => (entry.path === '.' ? targetDir : join(targetDir, entry.path));
  const dirs = entries.filter((e) => e.type === 'dir');
  // Private until the modes go on at the end, so nothing is readable half-restored.
  for (const dir of dirs) await mkdir(at(dir), { mode: 0o700 });

  const files = entries.filter((e): e is Extract<TreeEntry, { type: 'file' }> => e.type === 'file');
  await mapLimit(files, FILES_AT_ONCE, async (entry) => {
    const path = at(entry);
    const digest = new DigestStream();
    try {
      await pipeline(
        await storage.read(layout.objectKey(entry.sha256)),
        digest,
        createWriteStream(path, { flags: 'wx', mode: 0o600 }),
      );
    } catch (error) {
      if (error instanceof StorageNotFoundError)
        throw new RemoteIntegrityError(storage.label, id, entry.path, `its object ${entry.sha256} is missing`, error);
      throw error;
    }
    const actual = digest.digest();
    if (actual !== entry.sha256 || digest.bytes !== entry.size) {
      throw new RemoteIntegrityError(
        storage.label,
        id,
        entry.path,
        `read back ${digest.bytes} bytes with sha256 ${actual}, ${entry.size} bytes with sha256 ${entry.sha256} were pushed`,
      );
    }
    await chmod(path, entry.mode);
    await utimes(path, seconds(entry.mtimeNs), seconds(entry.mtimeNs));
  });

  for (const entry of entries) {
    if (entry.type !== 'symlink') continue;
    await symlink(entry.target, at(entry));
    await lutimes(at(entry), seconds(entry.mtimeNs), seconds(entry.mtimeNs));
  }
  // Deepest first: writing into a folder changes its mtime, and a read-only folder takes no more writes.
  for (const dir of dirs.reverse()) {
    await chmod(at(dir), dir.mode);
    await utimes(at(dir), seconds(dir.mtimeNs), seconds(dir.mtimeNs));
  }
}
