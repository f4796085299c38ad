import { KeepwatchError } from '@keepwatch/errors';

/**
 * Every error `@keepwatch/backup` throws on purpose. `retryable` tells the job processor whether
 * another attempt can help (a refused connection may; a wrong password or a too-old `pg_dump`
 * will not). Messages name the option, tool, id or path and never hold a password.
 */
export abstract class BackupError<Code extends string = string> extends KeepwatchError<Code> {
  abstract readonly retryable: boolean;
}

export class BackupOptionsError extends BackupError<'KW_BACKUP_OPTIONS_INVALID'> {
  static readonly code = 'KW_BACKUP_OPTIONS_INVALID';
  readonly retryable = false;
  constructor(what: string, problems: string[]) {
    super(BackupOptionsError.code, `invalid ${what}: ${problems.join('; ')}`);
  }
}

export class BackupIdError extends BackupError<'KW_BACKUP_ID_INVALID'> {
  static readonly code = 'KW_BACKUP_ID_INVALID';
  readonly retryable = false;
  constructor(id: string) {
    // The id may be hostile (`../../etc`); show it JSON-quoted and cut so it cannot forge lines.
    super(
      BackupIdError.code,
      `backup id ${JSON.stringify(id.slice(0, 100))} is not valid: expected <source>-<YYYYMMDDTHHMMSSZ>-<6 letters or digits>`,
    );
  }
}

export class BackupNotFoundError extends BackupError<'KW_BACKUP_NOT_FOUND'> {
  static readonly code = 'KW_BACKUP_NOT_FOUND';
  readonly retryable = false;
  constructor(id: string, where: string, cause?: unknown) {
    super(BackupNotFoundError.code, `backup "${id}" not found in ${where}`, { cause });
  }
}

export class BackupManifestError extends BackupError<'KW_BACKUP_MANIFEST_INVALID'> {
  static readonly code = 'KW_BACKUP_MANIFEST_INVALID';
  readonly retryable = false;
  constructor(path: string, problems: string[], cause?: unknown) {
    super(BackupManifestError.code, `manifest ${path} is not valid: ${problems.join('; ')}`, { cause });
  }
}

export class BackupToolMissingError extends BackupError<'KW_BACKUP_TOOL_MISSING'> {
  static readonly code = 'KW_BACKUP_TOOL_MISSING';
  readonly retryable = false;
  constructor(tool: string, path: string, option: string, cause?: unknown) {
    super(
      BackupToolMissingError.code,
      `${tool} not found or not executable at "${path}": install it or set the ${option} option`,
      { cause },
    );
  }
}

export class BackupToolTooOldError extends BackupError<'KW_BACKUP_TOOL_TOO_OLD'> {
  static readonly code = 'KW_BACKUP_TOOL_TOO_OLD';
  readonly retryable = false;
  constructor(tool: string, toolVersion: string, serverVersion: string, option: string) {
    super(
      BackupToolTooOldError.code,
      `${tool} ${toolVersion} is older than the server (${serverVersion}) and cannot dump it: ` +
        `install ${tool} ${serverVersion.split('.')[0]} or newer, or point the ${option} option at it`,
    );
  }
}

/** A tool (pg_dump, zstd, pg_restore, …) exited non-zero: its exit code and the tail of stderr. */
export class BackupToolFailedError extends BackupError<'KW_BACKUP_TOOL_FAILED'> {
  static readonly code = 'KW_BACKUP_TOOL_FAILED';
  readonly retryable: boolean;
  readonly tool: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderrTail: string;
  constructor(tool: string, exitCode: number | null, signal: string | null, stderrTail: string, retryable = true) {
    const how = exitCode === null ? `was killed by ${signal ?? 'a signal'}` : `exited with code ${exitCode}`;
    super(BackupToolFailedError.code, `${tool} ${how}${stderrTail ? `: ${stderrTail}` : ''}`);
    this.tool = tool;
    this.exitCode = exitCode;
    this.signal = signal;
    this.stderrTail = stderrTail;
    this.retryable = retryable;
  }
}

/** The server refused the credentials: retrying with the same password cannot help. */
export class BackupAuthError extends BackupError<'KW_BACKUP_AUTH_FAILED'> {
  static readonly code = 'KW_BACKUP_AUTH_FAILED';
  readonly retryable = false;
  constructor(label: string, detail: string, cause?: unknown) {
    super(BackupAuthError.code, `${label}: authentication failed (${detail})`, { cause });
  }
}

export class BackupConnectionError extends BackupError<'KW_BACKUP_CONNECTION_FAILED'> {
  static readonly code = 'KW_BACKUP_CONNECTION_FAILED';
  readonly retryable: boolean;
  constructor(label: string, detail: string, retryable: boolean, cause?: unknown) {
    super(BackupConnectionError.code, `${label}: cannot connect (${detail})`, { cause });
    this.retryable = retryable;
  }
}

export class BackupChecksumError extends BackupError<'KW_BACKUP_CHECKSUM_MISMATCH'> {
  static readonly code = 'KW_BACKUP_CHECKSUM_MISMATCH';
  readonly retryable = false;
  constructor(id: string, expected: string, actual: string) {
    super(
      BackupChecksumError.code,
      `backup "${id}" is damaged: sha256 ${actual} does not match the manifest's ${expected}`,
    );
  }
}

export class BackupTargetNotEmptyError extends BackupError<'KW_BACKUP_TARGET_NOT_EMPTY'> {
  static readonly code = 'KW_BACKUP_TARGET_NOT_EMPTY';
  readonly retryable = false;
  constructor(label: string) {
    super(
      BackupTargetNotEmptyError.code,
      `${label} is not empty: restore into an empty database, or pass clean to replace its contents`,
    );
  }
}

export class BackupKindMismatchError extends BackupError<'KW_BACKUP_KIND_MISMATCH'> {
  static readonly code = 'KW_BACKUP_KIND_MISMATCH';
  readonly retryable = false;
  constructor(id: string, backupKind: string, targetKind: string) {
    super(
      BackupKindMismatchError.code,
      `backup "${id}" is a ${backupKind} backup and cannot be restored into ${targetKind}`,
    );
  }
}

export class BackupIdentityRequiredError extends BackupError<'KW_BACKUP_IDENTITY_REQUIRED'> {
  static readonly code = 'KW_BACKUP_IDENTITY_REQUIRED';
  readonly retryable = false;
  constructor(id: string) {
    super(BackupIdentityRequiredError.code, `backup "${id}" is encrypted with age: pass identityFile to restore it`);
  }
}

export class BackupSourceUnknownError extends BackupError<'KW_BACKUP_SOURCE_UNKNOWN'> {
  static readonly code = 'KW_BACKUP_SOURCE_UNKNOWN';
  readonly retryable = false;
  /** `hint` says how to configure it, in the caller's words (a config key, an option). */
  constructor(source: string, known: string[], hint?: string) {
    super(
      BackupSourceUnknownError.code,
      `backup source "${source.slice(0, 100)}" is not configured (known: ${known.join(', ') || 'none'})` +
        (hint ? `: ${hint}` : ''),
    );
  }
}

/**
 * The restore test's database user may not create its scratch database (`kw_verify_<random>` on
 * the server of the url it was given): names the privilege and the grant that gives it.
 */
export class BackupScratchPrivilegeError extends BackupError<'KW_BACKUP_SCRATCH_PRIVILEGE_MISSING'> {
  static readonly code = 'KW_BACKUP_SCRATCH_PRIVILEGE_MISSING';
  readonly retryable = false;
  /** `CREATEDB` (PostgreSQL) or `CREATE` (MySQL/MariaDB). */
  readonly privilege: string;
  constructor(label: string, privilege: string, account: string, grant: string, cause?: unknown) {
    super(
      BackupScratchPrivilegeError.code,
      `${label}: the restore test cannot create its scratch database (kw_verify_…): ${account} lacks the ${privilege} ` +
        `privilege; give it, as an administrator, with ${grant}`,
      { cause },
    );
    this.privilege = privilege;
  }
}

/** Another worker is backing up the same source right now. */
export class BackupBusyError extends BackupError<'KW_BACKUP_BUSY'> {
  static readonly code = 'KW_BACKUP_BUSY';
  readonly retryable = true;
  constructor(source: string, waitedMs: number) {
    super(BackupBusyError.code, `a backup of source "${source}" is already running (waited ${waitedMs} ms for it)`);
  }
}

/**
 * The lock's Redis cannot be reached: backing up without the lock could overlap a worker's backup
 * of the same source, so nothing runs. Another attempt, once Redis is back, may succeed.
 */
export class BackupLockUnavailableError extends BackupError<'KW_BACKUP_LOCK_UNAVAILABLE'> {
  static readonly code = 'KW_BACKUP_LOCK_UNAVAILABLE';
  readonly retryable = true;
  constructor(message: string, cause?: unknown) {
    super(BackupLockUnavailableError.code, message, { cause });
  }
}

export class BackupLockLostError extends BackupError<'KW_BACKUP_LOCK_LOST'> {
  static readonly code = 'KW_BACKUP_LOCK_LOST';
  readonly retryable = true;
  constructor(source: string, cause?: unknown) {
    super(
      BackupLockLostError.code,
      `lost the lock of source "${source}" in Redis; stopped so two backups never overlap`,
      {
        cause,
      },
    );
  }
}

export class BackupAbortedError extends BackupError<'KW_BACKUP_ABORTED'> {
  static readonly code = 'KW_BACKUP_ABORTED';
  readonly retryable = true;
  constructor(what: string, cause?: unknown) {
    super(BackupAbortedError.code, `${what} was aborted`, { cause });
  }
}

/** Reading or writing the destination failed (disk full, permissions). */
export class BackupIoError extends BackupError<'KW_BACKUP_IO_FAILED'> {
  static readonly code = 'KW_BACKUP_IO_FAILED';
  readonly retryable = true;
  constructor(action: string, path: string, cause?: unknown) {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    super(BackupIoError.code, `cannot ${action} ${path}${detail}`, { cause });
  }
}
