import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackupAuthError,
  BackupChecksumError,
  BackupConnectionError,
  BackupOptionsError,
  BackupToolFailedError,
  BackupToolMissingError,
  BackupToolTooOldError,
  databaseSource,
  localDestination,
  postgresSource,
  restoreBackup,
  runBackup,
  verifyBackup,
  type BackupSource,
} from '../src/index.js';
import { postgresTarget } from '../src/databases/pg-restore-target.js';
import { allFiles, tempDir } from './helpers/files.js';
import { readFile, writeFile } from 'node:fs/promises';
import { createMysqlDatabase, myAdmin } from '@keepwatch/test-support/mariadb';
import { suffix } from '@keepwatch/test-support/names';
import { freePort, type SilentListener, silentListener } from '@keepwatch/test-support/net';
import { createPgDatabase, pgAdmin } from '@keepwatch/test-support/postgres';

const fixture = (name: string): string => join(import.meta.dirname, 'fixtures', name);

describe('backups that cannot be made', () => {
  let pgDb: Awaited<ReturnType<typeof createPgDatabase>>;
  let myDb: Awaited<ReturnType<typeof createMysqlDatabase>>;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let silent: SilentListener;
  const user = `kw_bad_${suffix()}`;
  const password = `right-${suffix()}`;

  beforeAll(async () => {
    pgDb = await createPgDatabase('kw_backup_fail');
    myDb = await createMysqlDatabase('kw_backup_fail');
    dir = await tempDir('kw-backup-fail');
    await pgAdmin((c) => c.query('CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 1000)'), pgDb.name);
    await myAdmin(async (c) => {
      await c.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [user, password]);
      await c.query(`GRANT ALL ON \`${myDb.name}\`.* TO ?@'%'`, [user]);
    });
    // A database that accepts connections and never answers.
    silent = await silentListener();
  });

  afterAll(async () => {
    await silent?.close();
    await myAdmin((c) => c.query(`DROP USER IF EXISTS ?@'%'`, [user])).catch(() => {});
    await pgDb?.drop();
    await myDb?.drop();
    await dir?.remove();
  });

  const attempt = async (source: BackupSource): Promise<unknown> => {
    const destination = localDestination({ directory: dir.path });
    const error = await runBackup({ source, destination }).then(
      () => undefined,
      (e: unknown) => e,
    );
    // Whatever failed, nothing is left behind and nothing is listed.
    expect(await allFiles(dir.path)).toEqual([]);
    expect(await destination.listManifests()).toEqual([]);
    return error;
  };

  it('a missing pg_dump names the tool and the option that points at it', async () => {
    const error = await attempt(postgresSource({ url: pgDb.url, pgDumpPath: '/nonexistent/bin/pg_dump' }));
    expect(error).toBeInstanceOf(BackupToolMissingError);
    expect((error as Error).message).toContain('pg_dump');
    expect((error as Error).message).toContain('/nonexistent/bin/pg_dump');
    expect((error as Error).message).toContain('pgDumpPath');
    expect((error as BackupToolMissingError).retryable).toBe(false);
  });

  it('a pg_dump older than the server is refused before dumping, with both versions', async () => {
    const error = await attempt(postgresSource({ url: pgDb.url, pgDumpPath: fixture('old-pg-dump.sh') }));
    expect(error).toBeInstanceOf(BackupToolTooOldError);
    expect((error as Error).message).toMatch(/pg_dump 11\.22 is older than the server \(15\.\d+\)/);
    expect((error as Error).message).toContain('pgDumpPath');
  });

  it('a tool that dies half way fails with its exit code and the end of its stderr', async () => {
    const error = await attempt(postgresSource({ url: pgDb.url, pgDumpPath: fixture('failing-pg-dump.sh') }));
    expect(error).toBeInstanceOf(BackupToolFailedError);
    expect(error).toMatchObject({ tool: 'pg_dump', exitCode: 3, retryable: true });
    expect((error as BackupToolFailedError).stderrTail).toContain('simulated connection loss');
    expect((error as Error).message).toContain('pg_dump exited with code 3');
  });

  it('an unreachable PostgreSQL server fails fast and may be retried', async () => {
    const port = await freePort();
    const error = await attempt(postgresSource({ url: `postgres://postgres:hunter2@127.0.0.1:${port}/x` }));
    expect(error).toBeInstanceOf(BackupConnectionError);
    expect((error as BackupConnectionError).retryable).toBe(true);
    expect((error as Error).message).toContain(`postgres://postgres@127.0.0.1:${port}/x`);
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('a server that never answers times out within connectTimeoutMs', async () => {
    const { port } = silent;
    const started = Date.now();
    const error = await attempt(
      postgresSource({ url: `postgres://postgres@127.0.0.1:${port}/x`, connectTimeoutMs: 500 }),
    );
    expect(error).toBeInstanceOf(BackupConnectionError);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a wrong MariaDB password is an authentication failure, not retried, and not in the message', async () => {
    const wrong = `wrong-${suffix()}`;
    const error = await attempt(databaseSource({ url: `mysql://${user}:${wrong}@127.0.0.1:3306/${myDb.name}` }));
    expect(error).toBeInstanceOf(BackupAuthError);
    expect((error as BackupAuthError).retryable).toBe(false);
    expect((error as Error).message).toContain(`mysql://${user}@127.0.0.1:3306/${myDb.name}`);
    expect((error as Error).message).not.toContain(wrong);
    expect((error as Error).message).not.toContain(password);
  });

  it('an unreachable MariaDB server is a connection failure', async () => {
    const port = await freePort();
    const error = await attempt(databaseSource({ url: `mysql://root@127.0.0.1:${port}/x` }));
    expect(error).toBeInstanceOf(BackupConnectionError);
  });

  it('bad options are all listed at once, and a URL with a password is never echoed', () => {
    let error: unknown;
    try {
      postgresSource({ url: '', name: 'Bad Name', connectTimeoutMs: 5 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BackupOptionsError);
    expect((error as Error).message).toMatch(/name:.*url:.*connectTimeoutMs:/s);
    expect(() => postgresSource({ url: 'ftp://u:secret-pw@h/db' })).toThrow(
      /url: expected a URL starting with postgres:\/\//,
    );
    expect(() => postgresSource({ url: 'ftp://u:secret-pw@h/db' })).not.toThrow(/secret-pw/);
  });

  it('a damaged backup is refused before the target is touched', async () => {
    const destination = localDestination({ directory: dir.path });
    const manifest = await runBackup({ source: postgresSource({ url: pgDb.url }), destination });
    const file = join(dir.path, 'database', manifest.startedAt.slice(0, 10), manifest.file);
    const bytes = await readFile(file);
    const middle = bytes.length >> 1;
    bytes[middle] = bytes[middle]! ^ 0xff;
    await writeFile(file, bytes);
    const target = await createPgDatabase('kw_backup_fail_target');
    try {
      const error = await restoreBackup({
        destination,
        id: manifest.id,
        target: postgresTarget({ url: target.url }),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackupChecksumError);
      expect(
        (await pgAdmin((c) => c.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public'`), target.name)).rows,
      ).toEqual([]);
      const report = await verifyBackup({ destination, id: manifest.id });
      expect(report.ok).toBe(false);
      expect(report.checksum.actual).not.toBe(manifest.checksum.value);
    } finally {
      await target.drop();
      await destination.remove(manifest.id);
    }
  });
});
