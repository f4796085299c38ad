import type { BackupManifest } from '../catalog/manifest.js';
import type { RestoreReport } from '../dump/restore-backup.js';
import type { RetentionReason } from '../retention/select-for-retention.js';
import type { RestoreSnapshotReport } from '../snapshot/restore-snapshot.js';
import type { SnapshotVerifyReport } from '../snapshot/verify-snapshot.js';
import type { VerifyReport } from '../dump/verify-backup.js';

/** Where a listed, verified or restored backup was read: the repository's destination, or the remote. */
export type BackupLocation = 'local' | 'remote';

/** What every listed backup has, whatever its kind. */
interface BackupEntryBase {
  id: string;
  source: string;
  /** What made it: `postgres` or `mysql` for a dump, `data` for a data-directory snapshot. */
  kind: string;
  /** ISO times. */
  startedAt: string;
  finishedAt: string;
  /** What a restore writes: the dump's bytes, or the files of the snapshot's tree. */
  rawBytes: number;
  /**
   * What it takes where it is stored: the dump file (compressed, maybe encrypted); for a snapshot
   * its files' size, as its unchanged files are links shared with other snapshots.
   */
  storedBytes: number;
  location: BackupLocation;
}

export interface DumpEntry extends BackupEntryBase {
  type: 'dump';
  manifest: BackupManifest;
}

export interface SnapshotEntry extends BackupEntryBase {
  type: 'snapshot';
  /** Its files; absent for a remote copy whose summary cannot be read on its own (`storageRemote`). */
  files?: number;
  /** The snapshot's directory, a plain tree; local snapshots only. */
  path?: string;
}

/** One complete backup in a listing. */
export type BackupEntry = DumpEntry | SnapshotEntry;

/** A dump's run: its manifest, as `runBackup` returns it. */
export interface DumpRunResult extends BackupManifest {
  type: 'dump';
}

/**
 * A snapshot's run; `source`, `startedAt`, `finishedAt` and `storedBytes` feed the backup status
 * metrics as a dump manifest's do.
 */
export interface SnapshotRunResult {
  type: 'snapshot';
  id: string;
  source: string;
  kind: 'data';
  path: string;
  /** The snapshot unchanged files were hard-linked from. */
  previous: string | null;
  startedAt: string;
  finishedAt: string;
  /**
   * Every file the snapshot holds (`bytesTotal`), not `bytesCopied`: an unchanged tree copies
   * nothing, and the size gauge would read 0 after nearly every snapshot.
   */
  storedBytes: number;
  bytesCopied: number;
  bytesTotal: number;
  files: number;
  filesCopied: number;
  filesLinked: number;
  durationMs: number;
}

export type KindRunResult = DumpRunResult | SnapshotRunResult;

export type KindVerifyResult =
  | { type: 'dump'; id: string; source: string; ok: boolean; report: VerifyReport }
  | { type: 'snapshot'; id: string; source: string; ok: boolean; report: SnapshotVerifyReport };

export type KindRestoreResult =
  | { type: 'dump'; id: string; source: string; report: RestoreReport }
  | { type: 'snapshot'; id: string; source: string; report: RestoreSnapshotReport };

/** What retention kept (with every rule that keeps it) and removed, for one source. */
export interface RepositoryPruneResult {
  source: string;
  type: 'dump' | 'snapshot';
  dryRun: boolean;
  kept: { id: string; reasons: RetentionReason[] }[];
  /** Removed, or with `dryRun` to be removed; oldest first. */
  removed: string[];
  /** The remote the removed backups were also deleted from; null without one, or on a dry run. */
  remote: string | null;
}

/**
 * What `BackupRepository.run` returns: the kind's result (a dump's manifest, a snapshot's
 * outcome) with what followed it, flat, so a job result or `--json` shows the manifest as before.
 */
export type RepositoryRunResult = KindRunResult & {
  retention: RepositoryPruneResult;
  /** The remote it was copied to, or null without one. */
  remote: string | null;
};

export type RepositoryVerifyResult = KindVerifyResult & { from: BackupLocation };

export type RepositoryRestoreResult = KindRestoreResult & { from: BackupLocation };
