import { createMysqlDatabase } from '@keepwatch/test-support/mariadb';
import { createPgDatabase, pgAdmin } from '@keepwatch/test-support/postgres';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackupToolFailedError,
  localDestination,
  postgresSource,
  runBackup,
  type BackupManifest,
  type LocalDestination,
} from '../src/index.js';
import { mysqlSource } from '../src/databases/mysql-dump-source.js';
import { directCompressionSupported, parseZstdSummary } from '../src/pipeline/direct-compressor.js';
import { allCommandLines, allFiles, tempDir } from './helpers/files.js';
import { mysqlScript } from './helpers/mysql.js';

const fixture = (name: string): string => join(import.meta.dirname, 'fixtures', name);

/** What the stored file holds once decompressed, counted by the real zstd. */
function decompressedBytes(destination: LocalDestination, manifest: BackupManifest): number {
  const path = destination.pathsOf(manifest).file;
  return Number(execFileSync('sh', ['-c', 'zstd -dc "$1" | wc -c', 'sh', path], { encoding: 'utf8' }).trim());
}

describe('pg_dump writing straight into zstd', () => {
  let db: Awaited<ReturnType<typeof createPgDatabase>>;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    db = await createPgDatabase('kw_backup_direct');
    dir = await tempDir('kw-backup-direct');
    await pgAdmin(
      (c) => c.query(`CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 200000) g`),
      db.name,
    );
  });

  afterAll(async () => {
    await db?.drop();
    await dir?.remove();
  });

  it('reads both sizes from the summary of zstd 1.5 (-vv) and of zstd 1.4', () => {
    expect(parseZstdSummary('/*stdin*\\            :  0.91%   (224596964 B => 2058938 B, /*stdout*\\) \n')).toEqual({
      input: 224596964,
      output: 2058938,
    });
    expect(parseZstdSummary('/*stdin*\\            :244.44%   (     9 B =>     22 B, /*stdout*\\) ')).toEqual({
      input: 9,
      output: 22,
    });
    expect(parseZstdSummary('/*stdin*\\            : 27.51%   (  9000 =>   2476 bytes, /*stdout*\\) ')).toEqual({
      input: 9000,
      output: 2476,
    });
    expect(parseZstdSummary('/*stdin*\\            : 27.51%   (  8.79 KiB => 2.42 KiB, /*stdout*\\) ')).toBeUndefined();
  });

  it('is used with this machine’s zstd, and the manifest’s raw size is exactly what the file decompresses to', async () => {
    expect(await directCompressionSupported('zstd')).toBe(true);
    let pgDumpFeedsZstd = false;
    const watch = setInterval(() => {
      // pg_dump's output is a pipe to zstd: no Node process between them shows up as its reader,
      // so look at what zstd reads instead: its stdin and pg_dump's stdout are one pipe.
      for (const line of allCommandLines()) if (line.includes('zstd') && line.includes('-vv')) pgDumpFeedsZstd = true;
    }, 5);
    const destination = localDestination({ directory: dir.path });
    const manifest = await runBackup({ source: postgresSource({ url: db.url }), destination }).finally(() =>
      clearInterval(watch),
    );
    expect(pgDumpFeedsZstd).toBe(true);
    expect(manifest.rawBytes).toBeGreaterThan(5_000_000);
    expect(manifest.rawBytes).toBe(decompressedBytes(destination, manifest));
    expect(manifest.tables).toEqual([{ schema: 'public', name: 't', rows: 200000 }]);
  });

  it('loses nothing when the dump is over before the backup file is even open', async () => {
    // A destination slow to open its file (as on a network filesystem): pg_dump and zstd have long
    // exited by then, and Node throws away the output of a child that exits unread.
    const slow = (directory: string): ReturnType<typeof localDestination> => {
      const local = localDestination({ directory });
      return Object.assign(Object.create(local) as typeof local, {
        createWriter: async (id: string, file: string) => {
          await new Promise((resolve) => setTimeout(resolve, 1500));
          return local.createWriter(id, file);
        },
      });
    };
    const small = await createPgDatabase('kw_backup_direct_small');
    try {
      await pgAdmin(
        (c) => c.query(`CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 2000) g`),
        small.name,
      );
      for (const zstdPath of ['zstd', fixture('quiet-zstd.sh')]) {
        const destination = slow(join(dir.path, 'slow', String(zstdPath.length)));
        const manifest = await runBackup({
          source: postgresSource({ url: small.url }),
          destination,
          options: { zstdPath },
        });
        expect(manifest.rawBytes, zstdPath).toBeGreaterThan(50_000);
        expect(manifest.rawBytes, zstdPath).toBe(decompressedBytes(destination, manifest));
      }
    } finally {
      await small.drop();
    }
  });

  it('falls back to piping through Node when zstd does not report its sizes, with the same result', async () => {
    expect(await directCompressionSupported(fixture('quiet-zstd.sh'))).toBe(false);
    const destination = localDestination({ directory: dir.path });
    const manifest = await runBackup({
      source: postgresSource({ url: db.url }),
      destination,
      options: { zstdPath: fixture('quiet-zstd.sh') },
    });
    expect(manifest.rawBytes).toBe(decompressedBytes(destination, manifest));
    expect(manifest.tables).toEqual([{ schema: 'public', name: 't', rows: 200000 }]);
  });

  it('a zstd that fails half way fails the backup with its exit code and message, and leaves nothing', async () => {
    const failing = localDestination({ directory: join(dir.path, 'failing') });
    const error = await runBackup({
      source: postgresSource({ url: db.url }),
      destination: failing,
      options: { zstdPath: fixture('failing-zstd.sh') },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BackupToolFailedError);
    expect(error).toMatchObject({ tool: 'zstd', exitCode: 70 });
    expect((error as Error).message).toContain('No space left on device');
    expect(await failing.listManifests()).toEqual([]);
    expect(await allFiles(join(dir.path, 'failing'))).toEqual([]);
    // No pg_dump is left writing into a pipe nobody reads.
    expect(allCommandLines().filter((l) => l.includes('pg_dump') && l.includes(db.name))).toEqual([]);
  });
});

describe('mariadb-dump into zstd through one reused buffer, counted on the way', () => {
  let db: Awaited<ReturnType<typeof createMysqlDatabase>>;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    db = await createMysqlDatabase('kw_backup_direct');
    dir = await tempDir('kw-backup-direct-my');
    await mysqlScript(
      db.name,
      `CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(64) NOT NULL);
       INSERT INTO t SELECT seq, MD5(seq) FROM seq_1_to_150000;`,
    );
  });

  afterAll(async () => {
    await db?.drop();
    await dir?.remove();
  });

  it('records exactly the bytes the file decompresses to, and the rows counted from the dump itself', async () => {
    const destination = localDestination({ directory: dir.path });
    const manifest = await runBackup({ source: mysqlSource({ url: db.url }), destination });
    expect(manifest.rawBytes).toBeGreaterThan(5_000_000);
    expect(manifest.rawBytes).toBe(decompressedBytes(destination, manifest));
    expect(manifest).toMatchObject({ rowCounts: 'same-snapshot', tables: [{ schema: '', name: 't', rows: 150000 }] });
  });

  it('a zstd that fails half way fails the backup with its message, and no dump tool is left running', async () => {
    const failing = localDestination({ directory: join(dir.path, 'failing') });
    const error = await runBackup({
      source: mysqlSource({ url: db.url }),
      destination: failing,
      options: { zstdPath: fixture('failing-zstd.sh') },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BackupToolFailedError);
    expect(error).toMatchObject({ tool: 'zstd', exitCode: 70 });
    expect(await failing.listManifests()).toEqual([]);
    expect(await allFiles(join(dir.path, 'failing'))).toEqual([]);
    expect(allCommandLines().filter((l) => l.includes('mariadb-dump') && l.includes(db.name))).toEqual([]);
  });
});
