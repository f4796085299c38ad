import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, symlinkSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import { relativeInside } from '@keepwatch/conventions';
import { createBackupId } from '../catalog/backup-id.js';
import { BackupAbortedError, BackupIoError } from '../errors.js';
import { copyBySize, type CopyWithHash } from './copy-by-size.js';
import { changedBetween, type CopiedFile } from './copy-file.js';
import { applyToDirectory, applyToSymlink, metadataOf } from './entry-metadata.js';
import { SnapshotExistsError, SnapshotInvalidError } from './errors.js';
import { createPathFilter, type PathFilter } from './path-filter.js';
import { ProgressReporter, TimeSlicer } from './run-helpers.js';
import { scanTree, type ScannedEntry } from './scan-tree.js';
import {
  loadSnapshot,
  serializeIndex,
  SNAPSHOT_FORMAT,
  SNAPSHOT_INDEX,
  SNAPSHOT_SUMMARY,
  SNAPSHOT_TREE,
  SNAPSHOT_VERSION,
  type IndexEntry,
  type SnapshotSummary,
} from './snapshot-index.js';
import { fsyncPath, syncTree } from './durability.js';
import {
  resolveTakeSnapshotOptions,
  type ResolvedTakeSnapshotOptions,
  type TakeSnapshotOptions,
} from './snapshot-options.js';

export interface SnapshotResult extends SnapshotSummary {
  /** The complete snapshot's directory. */
  path: string;
  durationMs: number;
}

/** A file that changes while it is read is read again this many times, then taken as last read. */
const CHANGED_RETRIES = 3;

/**
 * Takes an incremental snapshot of a directory, the way `rsync -a --link-dest=<previous>` does:
 * a file whose size, mtime (to the nanosecond), mode and owner match the previous snapshot's
 * index is hard-linked from it, so an unchanged tree copies no content; any other file is copied
 * and hashed. Content hashes of unchanged files are not recomputed (rsync's quick check): a change
 * that keeps both size and mtime, which only a deliberate `touch -d` makes, is not seen, and
 * `verifySnapshot` still checks every link against its hash. Each snapshot is a complete tree
 * and restores on its own; deleting an older one never affects a newer one.
 *
 * The snapshot is written as `.<id>.partial`, flushed to disk, then renamed to `<id>`: a
 * directory named like an id is always complete. The snapshot directory is 0700, since it holds
 * `.secret`. A `previous` that is not a readable snapshot is logged and every file copied.
 * Modes, owners (as root), mtimes and atimes are kept; symlinks are copied as links,
 * never followed; sockets, FIFOs and devices are left out and counted in `skipped`.
 */
export async function takeSnapshot(options: TakeSnapshotOptions): Promise<SnapshotResult> {
  const opts = resolveTakeSnapshotOptions(options);
  const started = new Date();
  const id = opts.id ?? createBackupId('data', started);
  const finalDir = join(opts.destinationDir, id);
  const tempDir = join(opts.destinationDir, `.${id}.partial`);
  const tree = join(tempDir, SNAPSHOT_TREE);
  const log = opts.logger;
  if (existsSync(finalDir)) throw new SnapshotExistsError(finalDir);

  const previousDir =
    opts.previous === undefined
      ? undefined
      : isAbsolute(opts.previous)
        ? opts.previous
        : join(opts.destinationDir, opts.previous);
  // A previous snapshot that cannot be read must not stop every later backup: copy everything.
  const previous =
    previousDir === undefined
      ? undefined
      : await loadSnapshot(previousDir).catch((error: unknown) => {
          if (!(error instanceof SnapshotInvalidError)) throw error;
          log?.warn(
            { previous: previousDir, err: error },
            'snapshot: previous snapshot unreadable, copying every file',
          );
          return undefined;
        });
  const previousFiles = new Map<string, Extract<IndexEntry, { type: 'file' }>>();
  for (const entry of previous?.entries ?? []) if (entry.type === 'file') previousFiles.set(entry.path, entry);
  const previousTree = previousDir === undefined ? '' : join(previousDir, SNAPSHOT_TREE);

  const slicer = new TimeSlicer(8, opts.signal);
  const progress = new ProgressReporter(opts.onProgress, opts.progressIntervalMs);
  let scanned;
  try {
    scanned = await scanTree(opts.sourceDir, snapshotFilter(opts), slicer, log);
  } catch (error) {
    throw new BackupIoError('read the data directory', opts.sourceDir, error);
  }
  const entriesTotal = scanned.dirs.length + scanned.files.length + scanned.symlinks.length;
  const bytesTotalScanned = scanned.files.reduce((sum, f) => sum + Number(f.stat.size), 0);
  progress.update({ phase: 'copy', entriesTotal, bytesTotal: bytesTotalScanned }, true);

  const entries: IndexEntry[] = [];
  const written: string[] = [];
  let filesLinked = 0;
  let filesCopied = 0;
  let bytesCopied = 0;
  let vanished = scanned.vanished;
  let done = 0;
  try {
    await mkdir(opts.destinationDir, { recursive: true });
    await rm(tempDir, { recursive: true, force: true });
    mkdirSync(tempDir, { mode: 0o700 });
    for (const dir of scanned.dirs) {
      // Owner-only until its own mode goes on, after its contents.
      mkdirSync(dir.path === '' ? tree : join(tree, dir.path), { mode: 0o700 });
      await slicer.tick();
    }

    const toCopy: ScannedEntry[] = [];
    for (const file of scanned.files) {
      await slicer.tick();
      const meta = metadataOf(file.stat);
      const before = previousFiles.get(file.path);
      if (
        before &&
        before.size === Number(file.stat.size) &&
        before.mtimeNs === meta.mtimeNs &&
        before.mode === meta.mode &&
        before.uid === meta.uid &&
        before.gid === meta.gid
      ) {
        try {
          linkSync(join(previousTree, file.path), join(tree, file.path));
          entries.push({ ...before, atimeNs: meta.atimeNs });
          filesLinked++;
          progress.update({ entriesDone: ++done });
          continue;
        } catch (error) {
          // Gone from the previous snapshot, too many links (EMLINK), another filesystem
          // (EXDEV): copy instead.
          log?.debug({ path: file.path, err: error }, 'snapshot: cannot hard-link from the previous snapshot, copying');
        }
      }
      toCopy.push(file);
    }

    // A file that changes while it is read is read again, up to CHANGED_RETRIES times.
    const copyOne = async (file: ScannedEntry, copy: CopyWithHash): Promise<void> => {
      const source = join(opts.sourceDir, file.path);
      const destination = join(tree, file.path);
      for (let attempt = 0; ; attempt++) {
        const metadataFor = (c: CopiedFile): IndexEntry | undefined => {
          const changed = changedBetween(c.stat, c.statAfter);
          if (changed && attempt < CHANGED_RETRIES) return undefined;
          return { path: file.path, type: 'file', size: c.bytes, sha256: c.sha256, ...metadataOf(c.stat) };
        };
        let copied: CopiedFile;
        try {
          copied = await copy(source, destination, metadataFor);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(source)) {
            vanished++;
            log?.info({ path: file.path }, 'snapshot: file vanished before it was copied');
            return;
          }
          throw error;
        }
        bytesCopied += copied.bytes;
        const entry = metadataFor(copied);
        if (!entry) {
          await rm(destination, { force: true });
          continue;
        }
        if (changedBetween(copied.stat, copied.statAfter))
          log?.warn({ path: file.path }, 'snapshot: file kept changing while read; took its last read');
        entries.push(entry);
        written.push(destination);
        filesCopied++;
        progress.update({ entriesDone: ++done, bytesCopied });
        return;
      }
    };
    await copyBySize(
      toCopy,
      { sizeOf: (file) => Number(file.stat.size), concurrency: opts.concurrency, slicer, signal: opts.signal },
      copyOne,
    );

    for (const link of scanned.symlinks) {
      await slicer.tick();
      const path = join(tree, link.path);
      const entry: IndexEntry = { path: link.path, type: 'symlink', target: link.target!, ...metadataOf(link.stat) };
      symlinkSync(link.target!, path);
      applyToSymlink(path, entry);
      entries.push(entry);
      progress.update({ entriesDone: ++done });
    }

    // Deepest first: setting a child's times would change its parent's mtime again.
    for (const dir of [...scanned.dirs].reverse()) {
      const entry: IndexEntry = { path: dir.path, type: 'dir', ...metadataOf(dir.stat) };
      applyToDirectory(dir.path === '' ? tree : join(tree, dir.path), entry);
      entries.push(entry);
      progress.update({ entriesDone: ++done });
    }

    const index = serializeIndex(entries);
    const files = entries.filter((e): e is Extract<IndexEntry, { type: 'file' }> => e.type === 'file');
    const summary: SnapshotSummary = {
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      id,
      previous: previous?.summary.id ?? null,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      include: opts.include,
      exclude: opts.exclude,
      files: files.length,
      dirs: scanned.dirs.length,
      symlinks: scanned.symlinks.length,
      skipped: scanned.skipped,
      vanished,
      bytesTotal: files.reduce((sum, f) => sum + f.size, 0),
      bytesCopied,
      filesCopied,
      filesLinked,
      indexSha256: createHash('sha256').update(index).digest('hex'),
    };
    await writeFile(join(tempDir, SNAPSHOT_INDEX), index, { mode: 0o600 });
    await writeFile(join(tempDir, SNAPSHOT_SUMMARY), `${JSON.stringify(summary, null, 2)}\n`, { mode: 0o600 });
    if (opts.fsync) {
      await syncTree(
        tempDir,
        () => [...written, join(tempDir, SNAPSHOT_INDEX), join(tempDir, SNAPSHOT_SUMMARY)],
        () => [...scanned.dirs.map((d) => (d.path === '' ? tree : join(tree, d.path))), tempDir],
      );
    }
    opts.signal?.throwIfAborted();
    await rename(tempDir, finalDir);
    if (opts.fsync) await fsyncPath(opts.destinationDir);
    progress.update({ phase: 'finish', entriesDone: done, bytesCopied }, true);
    log?.info({ id, files: summary.files, filesCopied, filesLinked, bytesCopied }, 'snapshot: complete');
    return { ...summary, path: finalDir, durationMs: Date.now() - started.getTime() };
  } catch (error) {
    await rm(tempDir, { recursive: true, force: true }).catch(() => {});
    if (opts.signal?.aborted) throw new BackupAbortedError(`snapshot ${id}`, error);
    if (error instanceof Error && 'code' in error && typeof (error as NodeJS.ErrnoException).syscall === 'string') {
      throw new BackupIoError('write snapshot', tempDir, error);
    }
    throw error;
  }
}

/** What the options take, never the snapshots themselves when they are kept inside the data directory. */
function snapshotFilter(
  opts: Pick<ResolvedTakeSnapshotOptions, 'sourceDir' | 'destinationDir' | 'include' | 'exclude'>,
): PathFilter {
  const patterns = createPathFilter(opts.include, opts.exclude);
  const own = relativeInside(opts.sourceDir, opts.destinationDir)?.split(sep).join('/');
  if (!own) return patterns;
  return { includes: patterns.includes, prunes: (dir) => dir === own || patterns.prunes(dir) };
}
