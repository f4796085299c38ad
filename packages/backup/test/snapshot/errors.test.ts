import { expect, it } from 'vitest';
import * as remote from '../../src/remote/index.js';
import * as snapshot from '../../src/snapshot/index.js';

// The classes' codes, names and exports are checked with the package's (test/errors.test.ts).

it('messages of snapshot and remote errors name the path and quote a hostile one safely', () => {
  expect(new remote.RemotePathError('../etc').message).toContain('"../etc"');
  expect(
    new snapshot.SnapshotCorruptError('/backups/data/x', [{ path: 'media/a.jpg', problem: 'is missing' }]).message,
  ).toContain('"media/a.jpg": is missing');
  expect(
    new remote.RemoteTransferError('rsync push of x', 'backup@host:22/srv', {
      exitCode: 255,
      signal: null,
      stderrTail: 'Connection refused',
      retryable: true,
    }).message,
  ).toBe('rsync push of x on backup@host:22/srv failed (exit code 255): Connection refused');
  expect(new remote.RemotePathError('a\nforged log line').message).not.toContain('\n');
});
