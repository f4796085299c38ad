import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupOptionsError, localDestination } from '../src/index.js';
import { describeDestination } from './helpers/destination-conformance.js';
import { allFiles, tempDir } from './helpers/files.js';

describeDestination('local directory', async () => {
  const dir = await tempDir('kw-backup-dest');
  return { destination: localDestination({ directory: dir.path }), entries: () => allFiles(dir.path), cleanup: dir.remove };
});

describe('localDestination', () => {
  it('refuses a directory inside the data directory', () => {
    expect(() => localDestination({ directory: '/srv/keepwatch/data/backups', dataDirectory: '/srv/keepwatch/data' })).toThrow(
      BackupOptionsError,
    );
    expect(() => localDestination({ directory: '/srv/keepwatch/data', dataDirectory: '/srv/keepwatch/data' })).toThrow(/inside the data directory/);
    expect(() => localDestination({ directory: '/srv/keepwatch/backups', dataDirectory: '/srv/keepwatch/data' })).not.toThrow();
  });

  it('skips a manifest that is damaged or sits in the wrong place, and lists the rest', async () => {
    const dir = await tempDir('kw-backup-dest-bad');
    try {
      const day = join(dir.path, 'database', '2026-11-25');
      await mkdir(day, { recursive: true });
      await writeFile(join(day, 'database-20261125T031500Z-ab12cd.manifest.json'), '{ not json');
      const warnings: object[] = [];
      const destination = localDestination({
        directory: dir.path,
        logger: { debug() {}, info() {}, error() {}, warn: (obj) => warnings.push(obj) },
      });
      expect(await destination.listManifests()).toEqual([]);
      expect(warnings).toHaveLength(1);
    } finally {
      await dir.remove();
    }
  });
});
