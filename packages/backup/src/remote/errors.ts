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
