import { BackupError } from '../errors.js';

/**
 * What a storage operation can fail with, the same for every backend, so the repository on top
 * decides by class (and `retryable`) and never by backend. Messages name the storage by its label
 * (`s3://bucket/prefix at https://host`, never a secret) and the key.
 */

/** A key that is not `/`-separated names of `[A-Za-z0-9._-]`, or that could leave the storage. */
export class StorageKeyError extends BackupError<'KW_BACKUP_STORAGE_KEY_INVALID'> {
  static readonly code = 'KW_BACKUP_STORAGE_KEY_INVALID';
  readonly retryable = false;
  constructor(key: string, problem: string) {
    super(StorageKeyError.code, `storage key ${JSON.stringify(String(key).slice(0, 200))} is not valid: ${problem}`);
  }
}

/** No object under that key (a write in progress or one that failed does not count). */
export class StorageNotFoundError extends BackupError<'KW_BACKUP_STORAGE_NOT_FOUND'> {
  static readonly code = 'KW_BACKUP_STORAGE_NOT_FOUND';
  readonly retryable = false;
  readonly key: string;
  constructor(key: string, storage: string, cause?: unknown) {
    super(StorageNotFoundError.code, `"${key}" not found in ${storage}`, { cause });
    this.key = key;
  }
}

/** A read of bytes the object does not have (as restic's Load, an error rather than fewer bytes). */
export class StorageRangeError extends BackupError<'KW_BACKUP_STORAGE_RANGE_INVALID'> {
  static readonly code = 'KW_BACKUP_STORAGE_RANGE_INVALID';
  readonly retryable = false;
  constructor(key: string, storage: string, range: { offset: number; length?: number }, size: number) {
    const wanted =
      range.length === undefined
        ? `from byte ${range.offset}`
        : `bytes ${range.offset}-${range.offset + range.length - 1}`;
    super(StorageRangeError.code, `cannot read ${wanted} of "${key}" in ${storage}: it has ${size} bytes`);
  }
}

/** The S3 bucket does not exist (or the endpoint does not serve it). */
export class StorageBucketMissingError extends BackupError<'KW_BACKUP_STORAGE_BUCKET_MISSING'> {
  static readonly code = 'KW_BACKUP_STORAGE_BUCKET_MISSING';
  readonly retryable = false;
  constructor(bucket: string, endpoint: string, cause?: unknown) {
    super(
      StorageBucketMissingError.code,
      `bucket "${bucket}" does not exist at ${endpoint}: create it, or fix the bucket name or the endpoint`,
      { cause },
    );
  }
}

/** The storage refused who we are (a key, a host key, S3 credentials, a permission). */
export class StorageAccessDeniedError extends BackupError<'KW_BACKUP_STORAGE_ACCESS_DENIED'> {
  static readonly code = 'KW_BACKUP_STORAGE_ACCESS_DENIED';
  readonly retryable = false;
  constructor(action: string, storage: string, detail: string, cause?: unknown) {
    super(StorageAccessDeniedError.code, `${action} on ${storage} was refused: ${detail}`, { cause });
  }
}

/** The storage cannot be reached or went away (connection refused or reset, timeout, 5xx): try again later. */
export class StorageUnavailableError extends BackupError<'KW_BACKUP_STORAGE_UNAVAILABLE'> {
  static readonly code = 'KW_BACKUP_STORAGE_UNAVAILABLE';
  readonly retryable = true;
  constructor(action: string, storage: string, detail: string, cause?: unknown) {
    super(StorageUnavailableError.code, `${action} on ${storage} failed, the storage is unavailable: ${detail}`, {
      cause,
    });
  }
}

/** Any other failure of the storage (disk full, an unexpected answer); `retryable` says whether to try again. */
export class StorageFailedError extends BackupError<'KW_BACKUP_STORAGE_FAILED'> {
  static readonly code = 'KW_BACKUP_STORAGE_FAILED';
  readonly retryable: boolean;
  constructor(action: string, storage: string, detail: string, retryable: boolean, cause?: unknown) {
    super(StorageFailedError.code, `${action} on ${storage} failed: ${detail}`, { cause });
    this.retryable = retryable;
  }
}

/** What was read back is not what was written: the stored object is damaged. */
export class StorageIntegrityError extends BackupError<'KW_BACKUP_STORAGE_CORRUPT'> {
  static readonly code = 'KW_BACKUP_STORAGE_CORRUPT';
  readonly retryable = false;
  constructor(key: string, storage: string, expected: string, actual: string) {
    super(
      StorageIntegrityError.code,
      `"${key}" in ${storage} is damaged: its sha256 is ${actual}, ${expected} was written`,
    );
  }
}
