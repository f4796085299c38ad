import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackupIoError } from '../errors.js';
import { spawnTool, type ToolEnvironmentOptions } from '../pipeline/tool-process.js';
import { fsyncPath } from './durability.js';
import {
  loadSnapshot,
  SNAPSHOT_INDEX,
  SNAPSHOT_SUMMARY,
  SNAPSHOT_TREE,
  type SnapshotSummary,
} from './snapshot-index.js';
import { stageTarget } from './target-dir.js';

/*
 * One file for destinations that cannot hold hard links or many small files (object stores,
 * tape, a plain upload). The tar side is node-tar (isaacs/node-tar): it keeps modes, mtimes,
 * owners and symlinks, and refuses `..` and absolute paths on extraction. zstd is the `zstd`
 * command, as in the database pipeline: Node 20's zlib has no zstd (node-tar's own `zstd` option
 * needs Node 22.15), and the npm bindings download prebuilt binaries at install time.
 *
 * node-tar is imported when an archive is written or read, not with the package: its modules
 * cost every process that loads @keepwatch/backup (`keepwatch backup list`) some 5-10 ms.
 */

export interface ArchiveToolOptions extends ToolEnvironmentOptions {
  /** The `zstd` tool. @defaultValue 'zstd' (found on PATH) */
  zstdPath?: string;
  /** zstd level, 1 (fastest) to 19. @defaultValue 3 */
  zstdLevel?: number;
}

export interface ArchiveResult {
  path: string;
  /** Size of the compressed archive. */
  bytes: number;
  /** sha256 of the compressed archive, for a manifest. */
  sha256: string;
}

/**
 * Writes a snapshot as one `tar` + `zstd` file (`.tar.zst`): the tree, its index and summary, so
 * the archive extracts back into a snapshot that `verifySnapshot` and `restoreSnapshot` take.
 * Written as `<outFile>.partial`, flushed, then renamed.
 */
export async function archiveSnapshot(
  snapshotDir: string,
  outFile: string,
  options: ArchiveToolOptions = {},
): Promise<ArchiveResult> {
  const level = options.zstdLevel ?? 3;
  await loadSnapshot(snapshotDir); // refuse to archive something that is not a complete snapshot
  const { create: createTar } = await import('tar');
  const partial = `${outFile}.partial`;
  const zstd = spawnTool(
    { name: 'zstd', path: options.zstdPath ?? 'zstd', option: 'zstdPath' },
    [`-${level}`, '-q', '-c'],
    {
      env: options.env,
      stdin: 'pipe',
      stdout: 'pipe',
    },
  );
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  const pack = createTar({ cwd: snapshotDir, portable: false }, [SNAPSHOT_SUMMARY, SNAPSHOT_INDEX, SNAPSHOT_TREE]);
  try {
    await Promise.all([
      pipeline(pack, zstd.stdin!),
      pipeline(zstd.stdout!, meter, createWriteStream(partial, { mode: 0o600 })),
      zstd.exited,
    ]);
    await fsyncPath(partial);
    await rename(partial, outFile);
    await fsyncPath(dirname(outFile));
  } catch (error) {
    zstd.kill();
    await rm(partial, { force: true }).catch(() => {});
    if (error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string') {
      throw new BackupIoError('write archive', outFile, error);
    }
    throw error;
  }
  return { path: outFile, bytes, sha256: hash.digest('hex') };
}

export interface ExtractArchiveOptions extends Pick<ArchiveToolOptions, 'zstdPath' | 'env'> {
  /** Replace a non-empty target (after the extraction is complete). @defaultValue false */
  clean?: boolean;
}

/**
 * Extracts an archive from `archiveSnapshot` into `targetDir`, which becomes a snapshot
 * directory again (check it with `verifySnapshot`, restore it with `restoreSnapshot`). The
 * archive is extracted next to the target and moved into place only when complete and its
 * summary and index read back.
 */
export async function extractArchive(
  file: string,
  targetDir: string,
  options: ExtractArchiveOptions = {},
): Promise<SnapshotSummary> {
  const { extract: extractTar } = await import('tar');
  const staged = await stageTarget(targetDir, options.clean ?? false);
  const zstd = spawnTool({ name: 'zstd', path: options.zstdPath ?? 'zstd', option: 'zstdPath' }, ['-d', '-q', '-c'], {
    env: options.env,
    stdin: 'pipe',
    stdout: 'pipe',
  });
  try {
    const unpack = extractTar({ cwd: staged.staging, strict: true, chmod: true, processUmask: 0 });
    const unpacked = new Promise<void>((resolve, reject) => {
      unpack.on('close', () => resolve());
      unpack.on('error', reject);
    });
    zstd.stdout!.pipe(unpack);
    await Promise.all([pipeline(createReadStream(file), zstd.stdin!), zstd.exited, unpacked]);
    const { summary } = await loadSnapshot(staged.staging);
    await staged.commit();
    return summary;
  } catch (error) {
    zstd.kill();
    await staged.abort().catch(() => {});
    if (error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string') {
      throw new BackupIoError('extract archive', file, error);
    }
    throw error;
  }
}
