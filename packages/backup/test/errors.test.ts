import { describeErrorClasses } from '@keepwatch/test-support/error-classes';
import { expect, it } from 'vitest';
import * as errors from '../src/errors.js';
import * as api from '../src/index.js';
import * as remoteErrors from '../src/remote/errors.js';
import * as snapshotErrors from '../src/snapshot/errors.js';
import * as storageErrors from '../src/storage/errors.js';

/** One real-looking instance of every error class, as the package would throw it. */
const samples: Record<string, () => api.BackupError> = {
  BackupOptionsError: () => new api.BackupOptionsError('backup options', ['zstdLevel: too big']),
  BackupIdError: () => new api.BackupIdError('../etc/passwd'),
  BackupNotFoundError: () => new api.BackupNotFoundError('database-20261125T031500Z-ab12cd', '/backups'),
  BackupManifestError: () => new api.BackupManifestError('/backups/x.manifest.json', ['id: missing']),
  BackupToolMissingError: () => new api.BackupToolMissingError('pg_dump', '/nope/pg_dump', 'pgDumpPath'),
  BackupToolTooOldError: () => new api.BackupToolTooOldError('pg_dump', '11.22', '15.20', 'pgDumpPath'),
  BackupToolFailedError: () => new api.BackupToolFailedError('pg_dump', 1, null, 'error: boom'),
  BackupAuthError: () => new api.BackupAuthError('postgres://app@db:5432/app', 'password authentication failed'),
  BackupConnectionError: () => new api.BackupConnectionError('postgres://app@db:5432/app', 'ECONNREFUSED', true),
  BackupChecksumError: () =>
    new api.BackupChecksumError('database-20261125T031500Z-ab12cd', 'a'.repeat(64), 'b'.repeat(64)),
  BackupTargetNotEmptyError: () => new api.BackupTargetNotEmptyError('postgres://app@db:5432/app'),
  BackupKindMismatchError: () =>
    new api.BackupKindMismatchError('database-20261125T031500Z-ab12cd', 'mysql', 'postgresql'),
  BackupIdentityRequiredError: () => new api.BackupIdentityRequiredError('database-20261125T031500Z-ab12cd'),
  BackupScratchPrivilegeError: () =>
    new api.BackupScratchPrivilegeError(
      'postgres://app@db:5432/app',
      'CREATEDB',
      'role "app"',
      'ALTER ROLE "app" CREATEDB;',
    ),
  BackupSourceUnknownError: () => new api.BackupSourceUnknownError('media', ['database']),
  BackupBusyError: () => new api.BackupBusyError('database', 60000),
  BackupLockLostError: () => new api.BackupLockLostError('database'),
  BackupLockUnavailableError: () =>
    new api.BackupLockUnavailableError('cannot reach Redis ([redis] url) within 5000 ms to take the backup lock'),
  BackupAbortedError: () => new api.BackupAbortedError('backup database-20261125T031500Z-ab12cd'),
  BackupIoError: () => new api.BackupIoError('write', '/backups/x', new Error('ENOSPC')),
  SnapshotInvalidError: () => new api.SnapshotInvalidError('/backups/data/x', ['snapshot.json: missing']),
  SnapshotExistsError: () => new api.SnapshotExistsError('/backups/data/x'),
  SnapshotTargetNotEmptyError: () => new api.SnapshotTargetNotEmptyError('/srv/restore'),
  SnapshotCorruptError: () =>
    new api.SnapshotCorruptError('/backups/data/x', [{ path: 'media/a.png', problem: 'sha256 differs' }]),
  RemoteTransferError: () =>
    new api.RemoteTransferError('push', 'backup@host:/srv', {
      exitCode: 12,
      signal: null,
      stderrTail: 'connection reset',
      retryable: true,
    }),
  RemoteNotFoundError: () => new api.RemoteNotFoundError('data/x', 'backup@host:/srv'),
  RemotePathError: () => new api.RemotePathError('../etc'),
  RemoteIntegrityError: () =>
    new api.RemoteIntegrityError(
      's3://bucket/keepwatch at http://nas:9000',
      'data-20261125T031500Z-ab12cd',
      'media/a.png',
      'sha256 differs',
    ),
  RemoteSourceChangedError: () => new api.RemoteSourceChangedError('/backups/data/x/tree/a.db', 'backup@host:/srv'),
  StorageKeyError: () => new api.StorageKeyError('../x', 'it leaves the storage'),
  StorageNotFoundError: () => new api.StorageNotFoundError('database/x', '/var/backups/keepwatch'),
  StorageRangeError: () =>
    new api.StorageRangeError('database/x', '/var/backups/keepwatch', { offset: 10, length: 5 }, 12),
  StorageBucketMissingError: () => new api.StorageBucketMissingError('backups', 'https://s3.example.net'),
  StorageAccessDeniedError: () =>
    new api.StorageAccessDeniedError('listing ""', 's3://backups/ at https://s3.example.net', 'AccessDenied, HTTP 403'),
  StorageUnavailableError: () =>
    new api.StorageUnavailableError('writing "x"', 'backup@host:22/srv', 'ssh: connect to host: Connection refused'),
  StorageFailedError: () =>
    new api.StorageFailedError('writing "x"', '/var/backups/keepwatch', 'ENOSPC: no space left on device', true),
  StorageIntegrityError: () =>
    new api.StorageIntegrityError('database/x', '/var/backups/keepwatch', 'a'.repeat(64), 'b'.repeat(64)),
};

describeErrorClasses('backup', {
  api,
  defined: [errors, snapshotErrors, remoteErrors, storageErrors],
  prefix: /^KW_BACKUP_/,
  samples: Object.values(samples).map((make) => make()),
});

it('only failures another attempt may fix are retryable', () => {
  for (const make of Object.values(samples)) expect(typeof make().retryable).toBe('boolean');
  const retryable = Object.entries(samples)
    .filter(([, make]) => make().retryable)
    .map(([name]) => name)
    .sort();
  expect(retryable).toEqual([
    'BackupAbortedError',
    'BackupBusyError',
    'BackupConnectionError',
    'BackupIoError',
    'BackupLockLostError',
    'BackupLockUnavailableError',
    'BackupToolFailedError',
    'RemoteSourceChangedError',
    'RemoteTransferError',
    'StorageFailedError',
    'StorageUnavailableError',
  ]);
});
