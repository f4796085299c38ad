import { mkdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createBackupId, parseBackupId } from '../catalog/backup-id.js';
import { BackupOptionsError } from '../errors.js';
import { RemoteNotFoundError } from '../remote/errors.js';
import type { RemoteEntry } from '../remote/remote-destination.js';
import type { BackupKind, KindContext } from '../repository/backup-kind.js';
import type { BackupLocation, SnapshotEntry } from '../repository/backup-results.js';
import { listSnapshots, pruneSnapshots, removeIncompleteSnapshots } from '../snapshot/list-snapshots.js';
import { restoreSnapshot } from '../snapshot/restore-snapshot.js';
import { SNAPSHOT_FORMAT, SNAPSHOT_SUMMARY, type SnapshotSummary } from '../snapshot/snapshot-index.js';
import type { SnapshotProgressListener } from '../snapshot/snapshot-options.js';
import { takeSnapshot } from '../snapshot/take-snapshot.js';
import { verifySnapshot } from '../snapshot/verify-snapshot.js';
import { pullBackupPart, readRemoteTexts } from './remote-files.js';

export interface SnapshotKindOptions {
  /** The directory to snapshot (`[data] dir`). */
  sourceDir: string;
  /** Globs of what to take. @defaultValue `DEFAULT_INCLUDE` */
  include?: readonly string[];
  /** Globs of what to leave out, even when included. @defaultValue `DEFAULT_EXCLUDE` */
  exclude?: readonly string[];
  /** Files copied or hashed at once. @defaultValue 4 */
  concurrency?: number;
}

/**
 * Incremental data-directory snapshots as a backup kind, over `takeSnapshot`, `verifySnapshot`,
 * `restoreSnapshot` and `pruneSnapshots`: `<root>/<source>/<id>/` locally (unchanged files
 * hard-linked from the newest complete snapshot), `<source>/<id>` on the remote, hard-linked
 * there against the newest snapshot both sides have. A restore goes into a directory.
 */
export function snapshotKind(options: SnapshotKindOptions): BackupKind {
  if (typeof options?.sourceDir !== 'string' || options.sourceDir === '')
    throw new BackupOptionsError('snapshot kind', ['sourceDir: must name the directory to snapshot']);
  const dirOf = (context: KindContext): string => join(context.root, context.source);
  const run = {
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
  };

  const entry = (summary: SnapshotSummary, location: BackupLocation, path?: string): SnapshotEntry => ({
    type: 'snapshot',
    id: summary.id,
    source: parseBackupId(summary.id).source,
    kind: 'data',
    startedAt: summary.startedAt,
    finishedAt: summary.finishedAt,
    rawBytes: summary.bytesTotal,
    storedBytes: summary.bytesTotal,
    files: summary.files,
    location,
    ...(path === undefined ? {} : { path }),
  });

  return {
    type: 'snapshot',
    runnable: true,

    async run(context, runOptions) {
      const dir = dirOf(context);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // Only a crashed run leaves these while the caller holds the lock; retention would keep
      // them forever as "in progress".
      await removeIncompleteSnapshots(dir);
      const previous = (await listSnapshots(dir, context.logger)).filter((s) => s.state === 'complete').at(-1);
      const snap = await takeSnapshot({
        ...run,
        sourceDir: options.sourceDir,
        destinationDir: dir,
        id: createBackupId(context.source, new Date()),
        ...(options.include ? { include: [...options.include] } : {}),
        ...(options.exclude ? { exclude: [...options.exclude] } : {}),
        ...(previous ? { previous: previous.id } : {}),
        logger: context.logger,
        ...(runOptions.signal ? { signal: runOptions.signal } : {}),
        ...(runOptions.onProgress ? { onProgress: runOptions.onProgress as SnapshotProgressListener } : {}),
      });
      return {
        type: 'snapshot',
        id: snap.id,
        source: context.source,
        kind: 'data',
        path: snap.path,
        previous: snap.previous,
        startedAt: snap.startedAt,
        finishedAt: snap.finishedAt,
        storedBytes: snap.bytesTotal,
        bytesCopied: snap.bytesCopied,
        bytesTotal: snap.bytesTotal,
        files: snap.files,
        filesCopied: snap.filesCopied,
        filesLinked: snap.filesLinked,
        durationMs: snap.durationMs,
      };
    },

    async list(context) {
      const complete = (await listSnapshots(dirOf(context), context.logger)).filter((s) => s.state === 'complete');
      const out: SnapshotEntry[] = [];
      for (const snapshot of complete) {
        const summary = await readSummary(join(snapshot.path, SNAPSHOT_SUMMARY), snapshot.id).catch(
          (error: unknown) => {
            context.logger.warn(
              { path: snapshot.path, err: error },
              'snapshot: skipped one whose summary is unreadable',
            );
            return undefined;
          },
        );
        if (summary && isOwnId(summary.id, context.source)) out.push(entry(summary, 'local', snapshot.path));
      }
      return out;
    },

    async has(context, id) {
      parseBackupId(id);
      return (await stat(join(dirOf(context), id, SNAPSHOT_SUMMARY)).catch(() => undefined))?.isFile() === true;
    },

    async verify(context, id, verify) {
      if (verify.restoreTest) {
        throw new BackupOptionsError('verify options', [
          `restoreTest: "${context.source}" is a snapshot, verified by re-hashing every file; a restore test is for database dumps`,
        ]);
      }
      const report = await verifySnapshot(join(dirOf(context), id), {
        ...run,
        logger: context.logger,
        ...(verify.signal ? { signal: verify.signal } : {}),
      });
      return { type: 'snapshot', id, source: context.source, ok: report.ok, report };
    },

    async restore(context, id, into, restore) {
      if (typeof into !== 'string') {
        throw new BackupOptionsError('restore target', [
          `"${id}" is a snapshot of a directory: restore it into a directory (a path), not ${into.label}`,
        ]);
      }
      const report = await restoreSnapshot({
        ...run,
        snapshotDir: join(dirOf(context), id),
        targetDir: resolve(into),
        clean: restore.clean ?? false,
        logger: context.logger,
        ...(restore.signal ? { signal: restore.signal } : {}),
        ...(restore.onProgress ? { onProgress: restore.onProgress as SnapshotProgressListener } : {}),
      });
      return { type: 'snapshot', id, source: context.source, report };
    },

    prune(context, prune) {
      return pruneSnapshots({ ...prune, destinationDir: dirOf(context) });
    },

    async push(context, remote, id) {
      const onRemote = new Set((await remote.list(context.source)).map((e) => e.name));
      const previous = (await listSnapshots(dirOf(context)))
        .filter((s) => s.state === 'complete' && s.id !== id && onRemote.has(s.id))
        .at(-1);
      // Under the source's lock: what an interrupted push of this source left (temporaries, uploads).
      await remote.removeIncomplete(context.source);
      await remote.push(
        join(dirOf(context), id),
        `${context.source}/${id}`,
        previous ? { linkDest: `${context.source}/${previous.id}` } : {},
      );
    },

    async removeFromRemote(context, remote, ids) {
      for (const id of ids) await remote.remove(`${context.source}/${id}`);
    },

    async listRemote(context, remote) {
      const dirs = (await remote.list(context.source)).filter(
        (e) => e.type === 'dir' && isOwnId(e.name, context.source),
      );
      const pathOf = (id: string): string => `${context.source}/${id}/${SNAPSHOT_SUMMARY}`;
      const texts = await readRemoteTexts(
        context,
        remote,
        dirs.map((e) => pathOf(e.name)),
      );
      const out: SnapshotEntry[] = [];
      for (const dir of dirs) {
        const read = texts.get(pathOf(dir.name))!;
        try {
          if ('error' in read) throw read.error;
          out.push(entry(parseSummary(read.text, dir.name), 'remote'));
        } catch (error) {
          // A remote that keeps a snapshot as objects plus an index (`storageRemote`) has no
          // summary file to read on its own: what its listing says has to do.
          if (error instanceof RemoteNotFoundError) out.push(listedEntry(dir, context.source));
          else
            context.logger.warn(
              { err: error, path: `${remote.label}/${pathOf(dir.name)}` },
              'snapshot: skipped one on the remote without a readable summary',
            );
        }
      }
      return out.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt) || a.id.localeCompare(b.id));
    },

    async fetch(context, remote, id) {
      parseBackupId(id);
      await pullBackupPart(remote, `${context.source}/${id}`, join(dirOf(context), id), id);
    },
  };
}

/**
 * A snapshot known only from the remote's listing: started when its id says, finished when it was
 * stored, its size as listed (for `storageRemote`, the pushed directory: the tree plus its index
 * and summary).
 */
function listedEntry(dir: RemoteEntry, source: string): SnapshotEntry {
  const startedAt = parseBackupId(dir.name).startedAt.toISOString();
  return {
    type: 'snapshot',
    id: dir.name,
    source,
    kind: 'data',
    startedAt,
    finishedAt: dir.modifiedAt.getTime() > Date.parse(startedAt) ? dir.modifiedAt.toISOString() : startedAt,
    rawBytes: dir.size,
    storedBytes: dir.size,
    location: 'remote',
  };
}

function isOwnId(id: string, source: string): boolean {
  try {
    return parseBackupId(id).source === source;
  } catch {
    return false;
  }
}

async function readSummary(path: string, id: string): Promise<SnapshotSummary> {
  return parseSummary(await readFile(path, 'utf8'), id);
}

/** The fields a listing shows, checked as `listSnapshots` checks them. */
function parseSummary(text: string, id: string): SnapshotSummary {
  const summary = JSON.parse(text) as SnapshotSummary;
  const times = [summary.startedAt, summary.finishedAt].map((t) => new Date(String(t)).getTime());
  if (
    summary.format !== SNAPSHOT_FORMAT ||
    summary.id !== id ||
    times.some(Number.isNaN) ||
    !Number.isInteger(summary.files) ||
    !Number.isInteger(summary.bytesTotal)
  )
    throw new Error('not a keepwatch snapshot summary');
  return summary;
}
