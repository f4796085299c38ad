import { BackupError } from '../errors.js';

/** A copy to or from the remote, or a command on it, failed: the tool's exit code and the tail of its stderr. */
export class RemoteTransferError extends BackupError<'KW_BACKUP_REMOTE_FAILED'> {
  static readonly code = 'KW_BACKUP_REMOTE_FAILED';
  readonly retryable: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderrTail: string;
  constructor(
    action: string,
    remote: string,
    details: { exitCode: number | null; signal: string | null; stderrTail: string; retryable: boolean },
    cause?: unknown,
  ) {
    const how =
      details.exitCode === null ? `killed by ${details.signal ?? 'a signal'}` : `exit code ${details.exitCode}`;
    super(
      RemoteTransferError.code,
      `${action} on ${remote} failed (${how})${details.stderrTail ? `: ${details.stderrTail}` : ''}`,
      { cause },
    );
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stderrTail = details.stderrTail;
    this.retryable = details.retryable;
  }
}

/** Nothing at that path on the remote. */
export class RemoteNotFoundError extends BackupError<'KW_BACKUP_REMOTE_NOT_FOUND'> {
  static readonly code = 'KW_BACKUP_REMOTE_NOT_FOUND';
  readonly retryable = false;
  constructor(path: string, remote: string, cause?: unknown) {
    super(RemoteNotFoundError.code, `"${path}" not found on ${remote}`, { cause });
  }
}

/** A remote path that could escape the remote directory or be read as an option or by a shell. */
export class RemotePathError extends BackupError<'KW_BACKUP_REMOTE_PATH_INVALID'> {
  static readonly code = 'KW_BACKUP_REMOTE_PATH_INVALID';
  readonly retryable = false;
  constructor(path: string) {
    super(
      RemotePathError.code,
      `remote path ${JSON.stringify(path.slice(0, 200))} is not valid: use "/"-separated names of A-Z, a-z, 0-9, ".", "_" and "-", none starting with "." or "-"`,
    );
  }
}

/**
 * What a remote holds is not what was pushed: a snapshot's object does not hash to the SHA-256 its
 * index records, is missing, or the index itself cannot be read. Names the snapshot and the file.
 */
export class RemoteIntegrityError extends BackupError<'KW_BACKUP_REMOTE_CORRUPT'> {
  static readonly code = 'KW_BACKUP_REMOTE_CORRUPT';
  readonly retryable = false;
  readonly snapshot: string;
  readonly path: string | undefined;
  constructor(remote: string, snapshot: string, path: string | undefined, problem: string, cause?: unknown) {
    super(
      RemoteIntegrityError.code,
      `snapshot "${snapshot}" on ${remote} is damaged${path === undefined ? '' : ` at "${path}"`}: ${problem}; restore from another snapshot or push it again`,
      { cause },
    );
    this.snapshot = snapshot;
    this.path = path;
  }
}

/** A file changed while it was being pushed (its bytes no longer hash as they did a moment before): push again. */
export class RemoteSourceChangedError extends BackupError<'KW_BACKUP_REMOTE_SOURCE_CHANGED'> {
  static readonly code = 'KW_BACKUP_REMOTE_SOURCE_CHANGED';
  readonly retryable = true;
  constructor(path: string, remote: string) {
    super(
      RemoteSourceChangedError.code,
      `${path} changed while it was being pushed to ${remote}: push from a snapshot that nothing writes to`,
    );
  }
}
