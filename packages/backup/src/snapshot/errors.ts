import { BackupError } from '../errors.js';

/*
 * Errors of data-directory snapshots. They extend the package's `BackupError`, so the job
 * processor reads `retryable` from them as from any other backup error; the codes are new and
 * start with KW_BACKUP_SNAPSHOT_.
 */

/** The directory is not a snapshot, or its index or summary cannot be read. */
export class SnapshotInvalidError extends BackupError<'KW_BACKUP_SNAPSHOT_INVALID'> {
  static readonly code = 'KW_BACKUP_SNAPSHOT_INVALID';
  readonly retryable = false;
  constructor(path: string, problems: string[], cause?: unknown) {
    super(SnapshotInvalidError.code, `${path} is not a readable snapshot: ${problems.slice(0, 10).join('; ')}`, {
      cause,
    });
  }
}

/** A snapshot of that id already exists in the destination. */
export class SnapshotExistsError extends BackupError<'KW_BACKUP_SNAPSHOT_EXISTS'> {
  static readonly code = 'KW_BACKUP_SNAPSHOT_EXISTS';
  readonly retryable = false;
  constructor(path: string) {
    super(SnapshotExistsError.code, `snapshot ${path} already exists: pick another id`);
  }
}

/** A restore or extraction would overwrite files. */
export class SnapshotTargetNotEmptyError extends BackupError<'KW_BACKUP_SNAPSHOT_TARGET_NOT_EMPTY'> {
  static readonly code = 'KW_BACKUP_SNAPSHOT_TARGET_NOT_EMPTY';
  readonly retryable = false;
  constructor(path: string) {
    super(
      SnapshotTargetNotEmptyError.code,
      `${path} is not empty: restore into an empty or missing directory, or pass clean: true to replace it`,
    );
  }
}

/** A file in the snapshot does not match its index: restoring it would not give back the original. */
export class SnapshotCorruptError extends BackupError<'KW_BACKUP_SNAPSHOT_CORRUPT'> {
  static readonly code = 'KW_BACKUP_SNAPSHOT_CORRUPT';
  readonly retryable = false;
  readonly problems: readonly SnapshotProblem[];
  constructor(snapshotDir: string, problems: SnapshotProblem[]) {
    const shown = problems.slice(0, 5).map((p) => `${JSON.stringify(p.path)}: ${p.problem}`);
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    super(SnapshotCorruptError.code, `snapshot ${snapshotDir} is damaged: ${shown.join('; ')}${more}`);
    this.problems = problems;
  }
}

/** One way a snapshot differs from its index. */
export interface SnapshotProblem {
  /** Path inside the snapshot's tree, `/`-separated. */
  path: string;
  problem: string;
}
