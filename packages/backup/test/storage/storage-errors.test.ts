import { codeProblems, describeErrorClasses, errorClassesOf } from '@keepwatch/test-support/error-classes';
import { expect, it } from 'vitest';
import * as api from '../../src/index.js';
import * as storageErrors from '../../src/storage/errors.js';
import * as storage from '../../src/storage/index.js';

// The storage layer's classes, checked from its own entry point (the package's entry point
// re-exports them; test/errors.test.ts checks them there), and against the package's for clashes.
describeErrorClasses('backup storage', {
  api: storage,
  defined: [storageErrors],
  prefix: /^KW_BACKUP_STORAGE_/,
  samples: [
    new storage.StorageKeyError('../x', 'it leaves the storage'),
    new storage.StorageNotFoundError('database/x', '/var/backups/keepwatch'),
    new storage.StorageRangeError('database/x', '/var/backups/keepwatch', { offset: 10, length: 5 }, 12),
    new storage.StorageBucketMissingError('backups', 'https://s3.example.net'),
    new storage.StorageAccessDeniedError(
      'listing ""',
      's3://backups/ at https://s3.example.net',
      'AccessDenied, HTTP 403',
    ),
    new storage.StorageUnavailableError(
      'writing "x"',
      'backup@host:22/srv',
      'ssh: connect to host: Connection refused',
    ),
    new storage.StorageFailedError('writing "x"', '/var/backups/keepwatch', 'ENOSPC: no space left on device', true),
    new storage.StorageIntegrityError('database/x', '/var/backups/keepwatch', 'a'.repeat(64), 'b'.repeat(64)),
  ],
});

it('storage codes clash with none of the package’s', () => {
  expect(codeProblems(new Map([...errorClassesOf(api), ...errorClassesOf(storage)]))).toEqual([]);
});

it('says whether another attempt can help', () => {
  expect(new storage.StorageUnavailableError('a', 'b', 'c').retryable).toBe(true);
  expect(new storage.StorageAccessDeniedError('a', 'b', 'c').retryable).toBe(false);
  expect(new storage.StorageBucketMissingError('a', 'b').retryable).toBe(false);
  expect(new storage.StorageNotFoundError('a', 'b').retryable).toBe(false);
});
