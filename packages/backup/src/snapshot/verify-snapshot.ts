import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFile } from './copy-file.js';
import type { SnapshotProblem } from './errors.js';
import { forEachLimit, ProgressReporter } from './run-helpers.js';
import { loadSnapshot, SNAPSHOT_TREE, type IndexEntry } from './snapshot-index.js';
import { resolveSnapshotRunOptions, type SnapshotRunOptions } from './snapshot-options.js';

export interface SnapshotVerifyReport {
  id: string;
  /** True when every entry of the index is there with its content and nothing else is. */
  ok: boolean;
  files: number;
  /** Bytes read and hashed. */
  bytes: number;
  /** Every difference, by path. */
  problems: SnapshotProblem[];
}

/**
 * Checks a snapshot without its source: the index against the summary's hash, then every file
 * re-hashed against the index, every symlink's target, every directory's presence, and no
 * entry in the tree that the index does not list. Modes and times are not compared: restore
 * takes them from the index, so they cannot be damaged in the tree. Throws
 * `SnapshotInvalidError` only when the summary or index cannot be read; damage is reported.
 */
export async function verifySnapshot(
  snapshotDir: string,
  options: SnapshotRunOptions = {},
): Promise<SnapshotVerifyReport> {
  const opts = resolveSnapshotRunOptions(options, 'verify options');
  const snapshot = await loadSnapshot(snapshotDir);
  const tree = join(snapshotDir, SNAPSHOT_TREE);
  const problems: SnapshotProblem[] = [];
  const byPath = new Map(snapshot.entries.map((e) => [e.path, e]));
  const files = snapshot.entries.filter((e): e is Extract<IndexEntry, { type: 'file' }> => e.type === 'file');
  const progress = new ProgressReporter(opts.onProgress, opts.progressIntervalMs);
  const bytesTotal = files.reduce((sum, f) => sum + f.size, 0);
  progress.update({ phase: 'copy', entriesTotal: snapshot.entries.length, bytesTotal }, true);
  let bytes = 0;
  let done = 0;

  await forEachLimit(
    snapshot.entries,
    opts.concurrency,
    async (entry) => {
      const path = entry.path === '' ? tree : join(tree, entry.path);
      const stat = await lstat(path).catch(() => undefined);
      const actual = !stat
        ? undefined
        : stat.isFile()
          ? 'file'
          : stat.isDirectory()
            ? 'dir'
            : stat.isSymbolicLink()
              ? 'symlink'
              : 'other';
      if (actual !== entry.type) {
        problems.push({
          path: entry.path,
          problem: actual ? `is a ${actual}, the index says ${entry.type}` : 'is missing',
        });
      } else if (entry.type === 'symlink') {
        const target = await readlink(path);
        if (target !== entry.target)
          problems.push({
            path: entry.path,
            problem: `points to ${JSON.stringify(target)}, the index says ${JSON.stringify(entry.target)}`,
          });
      } else if (entry.type === 'file') {
        const hashed = await hashFile(path);
        bytes += hashed.bytes;
        if (hashed.bytes !== entry.size)
          problems.push({ path: entry.path, problem: `has ${hashed.bytes} bytes, the index says ${entry.size}` });
        else if (hashed.sha256 !== entry.sha256)
          problems.push({
            path: entry.path,
            problem: `sha256 ${hashed.sha256} does not match the index's ${entry.sha256}`,
          });
      }
      progress.update({ entriesDone: ++done, bytesCopied: bytes });
    },
    opts.signal,
  );

  // Anything in the tree that the index does not know would be restored by no one: say so.
  const walk = async (dir: string): Promise<void> => {
    for (const dirent of await readdir(dir === '' ? tree : join(tree, dir), { withFileTypes: true }).catch(() => [])) {
      const path = dir === '' ? dirent.name : `${dir}/${dirent.name}`;
      if (!byPath.has(path)) problems.push({ path, problem: 'is not in the index' });
      else if (dirent.isDirectory()) await walk(path);
    }
  };
  await walk('');
  progress.update({ phase: 'finish' }, true);
  problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { id: snapshot.summary.id, ok: problems.length === 0, files: files.length, bytes, problems };
}
