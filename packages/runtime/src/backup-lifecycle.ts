// What runs around a backup: the data snapshot itself, retention, and the remote copy. Split from
// backup-from-config.ts, which only turns settings into sources, destinations and options.
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  listSnapshots,
  pruneBackups,
  pruneSnapshots,
  RemoteTransferError,
  removeIncompleteSnapshots,
  takeSnapshot,
  type BackupLogger,
  type SnapshotProgressListener,
  type Destination,
  type LocalDestination,
  type RemoteDestination,
} from '@keepwatch/backup';
import type { KeepwatchConfig } from '@keepwatch/config';
import {
  type DataBackupSource,
  dataSnapshotDirFromConfig,
  retentionPolicyFromConfig,
  backupDestinationFromConfig,
} from './backup-from-config.js';
import type { PruneOutcome } from './backup-outcomes.js';

/** What a data backup returns; `source`, `startedAt`, `finishedAt` and `storedBytes` feed the backup status metrics. */
export interface DataBackupOutcome {
  source: 'data';
  kind: 'data';
  id: string;
  path: string;
  /** The snapshot unchanged files were hard-linked from. */
  previous: string | null;
  startedAt: string;
  finishedAt: string;
  /**
   * The snapshot's size: every file it holds, as a restore writes them (`bytesTotal`), the
   * counterpart of a dump's stored size in `keepwatch_backup_last_size_bytes`. Not `bytesCopied`:
   * an unchanged tree copies nothing, so the gauge read 0 after nearly every snapshot and a
   * shrinking data directory could not be seen.
   */
  storedBytes: number;
  bytesCopied: number;
  bytesTotal: number;
  files: number;
  filesCopied: number;
  filesLinked: number;
  durationMs: number;
}

/**
 * One snapshot of `[data] dir`, incremental against the newest complete one. Call it holding the
 * source lock of `data`: it first removes `.partial` leftovers, which only a crashed run leaves
 * while the lock is held, and which retention would otherwise keep forever as "in progress".
 */
export async function runDataBackup(
  source: DataBackupSource,
  options: { signal?: AbortSignal; logger?: BackupLogger; onProgress?: SnapshotProgressListener } = {},
): Promise<DataBackupOutcome> {
  await mkdir(source.destinationDir, { recursive: true, mode: 0o700 });
  await removeIncompleteSnapshots(source.destinationDir);
  const previous = (await listSnapshots(source.destinationDir, options.logger))
    .filter((s) => s.state === 'complete')
    .at(-1);
  const snap = await takeSnapshot({
    sourceDir: source.sourceDir,
    destinationDir: source.destinationDir,
    include: [...source.include],
    exclude: [...source.exclude],
    ...(previous ? { previous: previous.id } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return {
    source: 'data',
    kind: 'data',
    id: snap.id,
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
}

/**
 * Applies `[backup] keep_*` in `[backup] timezone` to one source's local backups. The newest
 * complete backup and anything in progress are never removed (`selectForRetention`). Database
 * backups without a manifest are not listed, so a dump being written is never touched.
 */
export async function pruneBackupsFromConfig(
  config: Readonly<KeepwatchConfig>,
  source: string,
  options: { dryRun?: boolean; destination?: Destination; logger?: BackupLogger } = {},
): Promise<PruneOutcome> {
  const prune = {
    policy: retentionPolicyFromConfig(config),
    timeZone: config.backup.timezone,
    dryRun: options.dryRun ?? false,
    ...(options.logger ? { logger: options.logger } : {}),
  };
  const report =
    source === 'data'
      ? await pruneSnapshots({ ...prune, destinationDir: dataSnapshotDirFromConfig(config) })
      : await pruneBackups({
          ...prune,
          destination: options.destination ?? backupDestinationFromConfig(config),
          source,
        });
  return {
    source,
    kind: source === 'data' ? 'data' : 'database',
    dryRun: report.dryRun,
    kept: report.kept,
    removed: report.removed,
  };
}

/**
 * Remote layout, mirroring the local one per kind: `<remote path>/data/<id>/` (a snapshot,
 * hard-linked against the previous copy there; on an s3 remote content-addressed objects plus an
 * index) and `<remote path>/<source>/<id>.<ext>` plus `<id>.manifest.json`, the manifest pushed
 * last so a listed manifest always has its file. Call it holding the source's lock: it first
 * clears what an interrupted push of the same source left (an incomplete multipart upload).
 */
export async function copyBackupToRemote(
  config: Readonly<KeepwatchConfig>,
  remote: RemoteDestination,
  source: string,
  id: string,
  destination?: LocalDestination,
): Promise<void> {
  if (source === 'data') {
    const dir = dataSnapshotDirFromConfig(config);
    const onRemote = new Set((await remote.list('data')).map((e) => e.name));
    const previous = (await listSnapshots(dir))
      .filter((s) => s.state === 'complete' && s.id !== id && onRemote.has(s.id))
      .at(-1);
    await remote.removeIncomplete('data');
    await remote.push(join(dir, id), `data/${id}`, previous ? { linkDest: `data/${previous.id}` } : {});
    return;
  }
  const local = destination ?? backupDestinationFromConfig(config);
  const paths = local.pathsOf(await local.readManifest(id));
  await remote.removeIncomplete(source);
  await remote.push(paths.file, `${source}/${basename(paths.file)}`);
  await remote.push(paths.manifest, `${source}/${basename(paths.manifest)}`);
}

/** Deletes from the remote the copies of backups retention removed locally. */
export async function removeFromRemote(
  remote: RemoteDestination,
  source: string,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  if (source === 'data') {
    for (const id of ids) await remote.remove(`data/${id}`);
    return;
  }
  const names = (await remote.list(source)).map((e) => e.name);
  for (const id of ids) {
    // The manifest first: a copy without it is not a backup, so nothing half-deleted looks whole.
    if (names.includes(`${id}.manifest.json`)) await remote.remove(`${source}/${id}.manifest.json`);
    for (const name of names)
      if (name.startsWith(`${id}.`) && !name.endsWith('.manifest.json')) await remote.remove(`${source}/${name}`);
  }
}

/**
 * What follows every successful backup: the remote copy first (a failure throws and nothing is
 * deleted, locally or remotely), then local retention, then the same removals on the remote.
 */
export async function afterBackupFromConfig(
  config: Readonly<KeepwatchConfig>,
  source: string,
  id: string,
  options: { remote?: RemoteDestination | undefined; destination?: LocalDestination; logger?: BackupLogger } = {},
): Promise<{ retention: PruneOutcome; remote: string | null }> {
  const { remote } = options;
  if (remote) {
    await copyBackupToRemote(config, remote, source, id, options.destination).catch((error: unknown) => {
      // Same code and retryability, but the message says the backup itself is safe.
      if (error instanceof RemoteTransferError)
        throw new RemoteTransferError(`copy of backup ${id} (kept locally)`, remote.label, error, error);
      throw error;
    });
    options.logger?.info({ id, remote: remote.label }, 'backup: copied to the remote');
  }
  const retention = await pruneBackupsFromConfig(config, source, {
    ...(options.destination ? { destination: options.destination } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  if (remote) await removeFromRemote(remote, source, retention.removed);
  return { retention, remote: remote?.label ?? null };
}
