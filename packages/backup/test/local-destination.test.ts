import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { BackupIoError, BackupOptionsError, localDestination, parseManifest } from '../src/index.js';
import { createBackupId } from '../src/catalog/backup-id.js';
import { describeDestination, manifestFor } from './helpers/destination-conformance.js';
import { allFiles, tempDir } from './helpers/files.js';

describeDestination('local directory', async () => {
  const dir = await tempDir('kw-backup-dest');
  return {
    destination: localDestination({ directory: dir.path }),
    entries: () => allFiles(dir.path),
    cleanup: dir.remove,
  };
});

describe('localDestination', () => {
  it('refuses a directory inside the data directory', () => {
    expect(() =>
      localDestination({ directory: '/srv/keepwatch/data/backups', dataDirectory: '/srv/keepwatch/data' }),
    ).toThrow(BackupOptionsError);
    expect(() => localDestination({ directory: '/srv/keepwatch/data', dataDirectory: '/srv/keepwatch/data' })).toThrow(
      /inside the data directory/,
    );
    expect(() =>
      localDestination({ directory: '/srv/keepwatch/backups', dataDirectory: '/srv/keepwatch/data' }),
    ).not.toThrow();
    // A name that starts with ".." is still inside; one that starts with the data directory's is not.
    expect(() =>
      localDestination({ directory: '/srv/keepwatch/data/..backups', dataDirectory: '/srv/keepwatch/data' }),
    ).toThrow(/inside the data directory/);
    expect(() =>
      localDestination({ directory: '/srv/keepwatch/data-backups', dataDirectory: '/srv/keepwatch/data' }),
    ).not.toThrow();
  });

  it('names the paths of a stored backup, and refuses a file name that leaves it', async () => {
    const dir = await tempDir('kw-backup-dest-paths');
    try {
      const destination = localDestination({ directory: dir.path });
      const id = createBackupId('database', new Date('2026-11-25T03:15:00Z'));
      const writer = await destination.createWriter(id, `${id}.pgdump`);
      await pipeline(Readable.from(['the dump']), writer.stream);
      await writer.commit();
      const manifest = manifestFor(id, 'database', `${id}.pgdump`, 'the dump');
      await destination.writeManifest(manifest);

      const paths = destination.pathsOf(manifest);
      expect(paths).toEqual({
        file: join(dir.path, 'database', '2026-11-25', `${id}.pgdump`),
        manifest: join(dir.path, 'database', '2026-11-25', `${id}.manifest.json`),
      });
      expect(await readFile(paths.file, 'utf8')).toBe('the dump');
      expect(parseManifest(await readFile(paths.manifest, 'utf8'), paths.manifest)).toEqual(manifest);
      expect(() => destination.pathsOf({ ...manifest, file: '../../../etc/passwd' })).toThrow(BackupIoError);
    } finally {
      await dir.remove();
    }
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
