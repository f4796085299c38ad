import { mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BackupAbortedError, BackupIoError } from '../errors.js';
import { copyBySize, type CopyWithHash } from './copy-by-size.js';
import type { CopiedFile } from './copy-file.js';
import { fsyncPath, syncTree } from './durability.js';
import { applyToDirectory, applyToSymlink } from './entry-metadata.js';
import { SnapshotCorruptError, type SnapshotProblem } from './errors.js';
import { ProgressReporter, TimeSlicer } from './run-helpers.js';
import { loadSnapshot, SNAPSHOT_TREE, type IndexEntry } from './snapshot-index.js';
import { resolveSnapshotRunOptions, type SnapshotRunOptions } from './snapshot-options.js';
import { stageTarget } from './target-dir.js';

export interface RestoreSnapshotOptions extends SnapshotRunOptions {
  /** A complete snapshot directory (`<destination>/<id>`), or one `extractArchive` wrote. */
  snapshotDir: string;
  /** Where the tree goes; created when missing. */
  targetDir: string;
  /**
   * Replace a non-empty target. The old contents are removed only after the new tree is
   * complete. Without it a non-empty target is refused.
   * @defaultValue false
   */
  clean?: boolean;
  /** Flush the restored tree to disk before it takes the target's place. @defaultValue true */
  fsync?: boolean;
}

export interface RestoreSnapshotReport {
  id: string;
  targetDir: string;
  files: number;
  dirs: number;
  symlinks: number;
  bytes: number;
  durationMs: number;
}

/**
 * Restores a snapshot byte for byte: every file's content is hashed while it is copied and
 * compared with the index, and modes, owners (as root), mtimes and atimes come from the index,
 * not from the snapshot's inodes (hard links share those with other snapshots). A file that
 * does not match its hash fails the restore with `SnapshotCorruptError`, listing every damaged
 * path, and leaves the target untouched: the tree is built next to it and swapped in at the end.
 */
export async function restoreSnapshot(options: RestoreSnapshotOptions): Promise<RestoreSnapshotReport> {
  const { snapshotDir, targetDir, clean = false, fsync = true, ...rest } = options;
  const opts = resolveSnapshotRunOptions(rest, 'restore options');
  const started = Date.now();
  const snapshot = await loadSnapshot(snapshotDir);
  const tree = join(snapshotDir, SNAPSHOT_TREE);
  const staged = await stageTarget(targetDir, clean);
  const out = (path: string): string => (path === '' ? staged.staging : join(staged.staging, path));
  const slicer = new TimeSlicer(8, opts.signal);
  const dirs = snapshot.entries.filter((e) => e.type === 'dir');
  const files = snapshot.entries.filter((e): e is Extract<IndexEntry, { type: 'file' }> => e.type === 'file');
  const links = snapshot.entries.filter((e) => e.type === 'symlink');
  const progress = new ProgressReporter(opts.onProgress, opts.progressIntervalMs);
  const bytesTotal = files.reduce((sum, f) => sum + f.size, 0);
  progress.update({ phase: 'copy', entriesTotal: snapshot.entries.length, bytesTotal }, true);
  const problems: SnapshotProblem[] = [];
  let bytes = 0;
  let done = 0;
  try {
    // The index is sorted by path, so a parent always comes before its children.
    for (const dir of dirs) {
      if (dir.path !== '') mkdirSync(out(dir.path), { mode: 0o700 });
      await slicer.tick();
    }
    const restoreOne = async (file: Extract<IndexEntry, { type: 'file' }>, copy: CopyWithHash): Promise<void> => {
      const metadataFor = (c: CopiedFile): IndexEntry | undefined =>
        c.sha256 === file.sha256 && c.bytes === file.size ? file : undefined;
      const copied = await copy(join(tree, file.path), out(file.path), metadataFor);
      if (!metadataFor(copied)) {
        problems.push({
          path: file.path,
          problem: `sha256 ${copied.sha256} (${copied.bytes} bytes) does not match the index's ${file.sha256} (${file.size} bytes)`,
        });
      }
      bytes += copied.bytes;
      progress.update({ entriesDone: ++done, bytesCopied: bytes });
    };
    await copyBySize(
      files,
      { sizeOf: (file) => file.size, concurrency: opts.concurrency, slicer, signal: opts.signal },
      restoreOne,
    );
    if (problems.length > 0) throw new SnapshotCorruptError(snapshotDir, problems);
    for (const link of links) {
      if (link.type !== 'symlink') continue;
      symlinkSync(link.target, out(link.path));
      applyToSymlink(out(link.path), link);
      progress.update({ entriesDone: ++done });
      await slicer.tick();
    }
    for (const dir of [...dirs].reverse()) {
      applyToDirectory(out(dir.path), dir);
      progress.update({ entriesDone: ++done });
    }
    if (fsync) {
      await syncTree(
        staged.staging,
        () => files.map((f) => out(f.path)),
        () => dirs.map((d) => out(d.path)),
      );
    }
    opts.signal?.throwIfAborted();
    await staged.commit();
    if (fsync) await fsyncPath(dirname(targetDir));
  } catch (error) {
    await staged.abort().catch(() => {});
    if (opts.signal?.aborted) throw new BackupAbortedError(`restore of snapshot ${snapshot.summary.id}`, error);
    if (error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string') {
      throw new BackupIoError('restore into', targetDir, error);
    }
    throw error;
  }
  progress.update({ phase: 'finish', entriesDone: done, bytesCopied: bytes }, true);
  return {
    id: snapshot.summary.id,
    targetDir,
    files: files.length,
    dirs: dirs.length,
    symlinks: links.length,
    bytes,
    durationMs: Date.now() - started,
  };
}
