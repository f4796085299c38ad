import { BackupNotFoundError, type LocalDestination, listSnapshots } from '@keepwatch/backup';
import type { KeepwatchConfig } from '@keepwatch/config';
import {
  backupDestinationFromConfig,
  backupRemoteFromConfig,
  dataSnapshotDirFromConfig,
  withRemoteBackup,
} from '@keepwatch/runtime';
import { dataSnapshotPath } from './backup-setup.js';

/** Where a backup to restore or verify was found: `remote` is the label of `[backup] remote` when it came from there. */
export type BackupAtHand =
  | { kind: 'database'; destination: LocalDestination; remote?: string }
  | { kind: 'data'; snapshotDir: string; remote?: string };

/**
 * Hands `use` backup `id` from `[backup] destination`, or, when it is not there and
 * `[backup] remote` is set, fetched from the remote into a scratch folder inside the destination
 * that is removed afterwards, on every path (never into the local catalog, so retention never
 * sees it). Without a remote, a missing backup is reported as before, by the command itself.
 */
export async function withBackupAtHand<T>(
  config: Readonly<KeepwatchConfig>,
  id: string,
  use: (backup: BackupAtHand) => Promise<T>,
): Promise<T> {
  const snapshotDir = dataSnapshotPath(config, id);
  const local: BackupAtHand = snapshotDir
    ? { kind: 'data', snapshotDir }
    : { kind: 'database', destination: backupDestinationFromConfig(config) };
  if (await isLocal(config, id, local)) return use(local);
  const remote = backupRemoteFromConfig(config);
  if (!remote) return use(local);
  return withRemoteBackup(remote, id, config.backup.destination, (fetched) =>
    use(
      fetched.kind === 'data'
        ? { kind: 'data', snapshotDir: fetched.snapshotDir, remote: remote.label }
        : { kind: 'database', destination: fetched.destination, remote: remote.label },
    ),
  );
}

async function isLocal(config: Readonly<KeepwatchConfig>, id: string, backup: BackupAtHand): Promise<boolean> {
  if (backup.kind === 'data') {
    const snapshots = await listSnapshots(dataSnapshotDirFromConfig(config));
    return snapshots.some((s) => s.id === id && s.state === 'complete');
  }
  try {
    await backup.destination.readManifest(id);
    return true;
  } catch (error) {
    if (error instanceof BackupNotFoundError) return false;
    throw error;
  }
}

/** A command's report, with `remote` (the remote's label) when the backup was fetched from there. */
export function withRemote<T extends object>(report: T, remote: string | undefined): T & { remote?: string } {
  return remote ? { ...report, remote } : report;
}
