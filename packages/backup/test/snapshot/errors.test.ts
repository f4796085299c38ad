import { describe, expect, it } from 'vitest';
import * as packageErrors from '../../src/errors.js';
import { BackupError } from '../../src/errors.js';
import * as remote from '../../src/remote/index.js';
import * as snapshot from '../../src/snapshot/index.js';

/** One real-looking instance of every error class of snapshots and remotes, as they are thrown. */
const samples: Record<string, () => BackupError> = {
  SnapshotInvalidError: () => new snapshot.SnapshotInvalidError('/backups/data/x', ['index.ndjson: missing']),
  SnapshotExistsError: () => new snapshot.SnapshotExistsError('/backups/data/data-20261125T031500Z-ab12cd'),
  SnapshotTargetNotEmptyError: () => new snapshot.SnapshotTargetNotEmptyError('/var/lib/keepwatch'),
  SnapshotCorruptError: () =>
    new snapshot.SnapshotCorruptError('/backups/data/x', [{ path: 'media/a.jpg', problem: 'is missing' }]),
  RemoteTransferError: () =>
    new remote.RemoteTransferError('rsync push of x', 'backup@host:22/srv', {
      exitCode: 255,
      signal: null,
      stderrTail: 'Connection refused',
      retryable: true,
    }),
  RemoteNotFoundError: () => new remote.RemoteNotFoundError('snapshots/x', 'backup@host:22/srv'),
  RemotePathError: () => new remote.RemotePathError('../etc'),
};

const classesOf = (module: object): [string, { code: string }][] =>
  Object.entries(module).filter(
    ([, value]) => typeof value === 'function' && value.prototype instanceof BackupError,
  ) as [string, { code: string }][];

describe('snapshot and remote error classes', () => {
  const exported = [...classesOf(snapshot), ...classesOf(remote)];

  it('every exported error class has a sample here (so this test sees new ones)', () => {
    expect(exported.map(([name]) => name).sort()).toEqual(Object.keys(samples).sort());
  });

  it('each code is unique, also against the rest of the package, KW_BACKUP_…, and carried by the instances', () => {
    const codes = [...exported, ...classesOf(packageErrors)].map(([, cls]) => cls.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [name, cls] of exported) {
      const instance = samples[name]!();
      expect(cls.code, name).toMatch(/^KW_BACKUP_[A-Z_]+$/);
      expect(instance.code, name).toBe(cls.code);
      expect(instance.name).toBe(name);
      expect(instance).toBeInstanceOf(cls as unknown as typeof BackupError);
    }
  });

  it('messages name the path and quote a hostile one safely', () => {
    expect(samples.RemotePathError!().message).toContain('"../etc"');
    expect(samples.SnapshotCorruptError!().message).toContain('"media/a.jpg": is missing');
    expect(samples.RemoteTransferError!().message).toBe(
      'rsync push of x on backup@host:22/srv failed (exit code 255): Connection refused',
    );
    expect(new remote.RemotePathError('a\nforged log line').message).not.toContain('\n');
  });
});
