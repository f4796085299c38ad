import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { suffix } from '@keepwatch/test-support/names';
import { createPgDatabase, pgAdmin } from '@keepwatch/test-support/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listBackups,
  localDestination,
  postgresSource,
  restoreBackup,
  runBackup,
  verifyBackup,
  createScratchDatabase,
  BackupTargetNotEmptyError,
  type BackupManifest,
  type BackupProgress,
} from '../src/index.js';
import { postgresTarget } from '../src/databases/pg-restore-target.js';
import { allCommandLines, allFiles, environmentOf, tempDir } from './helpers/files.js';
import { pgFingerprint } from './helpers/postgres.js';

// trust auth on this server accepts any password; it is here to prove it never leaks.
const PASSWORD = `pw-${suffix()}-Zq9`;
const withPassword = (url: string): string => url.replace('postgres@', `postgres:${PASSWORD}@`);

const AWKWARD_SQL = `
  CREATE SCHEMA "Second Schema";
  CREATE TABLE "Ünïcödé ""quoted"" table" (id serial PRIMARY KEY, name text NOT NULL, payload bytea, body text);
  INSERT INTO "Ünïcödé ""quoted"" table" (name, payload, body) VALUES
    ('naïve ☃ 🦄', '\\x00ff10'::bytea, repeat('large text ä ', 100000)),
    (E'tab\\there "q" \\\\ back', decode(repeat('00ff', 50000), 'hex'), NULL);
  INSERT INTO "Ünïcödé ""quoted"" table" (name, payload, body)
    SELECT 'row ' || g, decode(md5(g::text), 'hex'), md5(g::text) FROM generate_series(1, 3000) g;
  CREATE TABLE "Second Schema"."Orders" (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id int REFERENCES public."Ünïcödé ""quoted"" table"(id),
    note text);
  INSERT INTO "Second Schema"."Orders" (item_id, note) SELECT g, 'order ' || g FROM generate_series(1, 50) g;
  -- Enough rows that the dump runs for a moment (for the command-line watch).
  CREATE TABLE filler AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS v FROM generate_series(1, 100000) g;
  CREATE SEQUENCE "Second Schema".invoice_seq START 1000;
  SELECT nextval('"Second Schema".invoice_seq'), nextval('"Second Schema".invoice_seq');
  CREATE VIEW "Second Schema"."Order summary" AS
    SELECT o.id, t.name FROM "Second Schema"."Orders" o JOIN public."Ünïcödé ""quoted"" table" t ON t.id = o.item_id;
  CREATE FUNCTION "Second Schema".double_it(x int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT x * 2 $$;
  CREATE TABLE empty_table (x int);
`;

describe('PostgreSQL backup and restore', () => {
  let source: Awaited<ReturnType<typeof createPgDatabase>>;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const cleanups: (() => Promise<void>)[] = [];
  let manifest: BackupManifest;
  const progress: BackupProgress[] = [];
  let leakedArgs: string[] = [];
  let sawPgDump = false;
  let pgDumpEnv: string[] | undefined;

  beforeAll(async () => {
    source = await createPgDatabase('kw_backup_pg');
    dir = await tempDir('kw-backup-pg');
    await pgAdmin((c) => c.query(AWKWARD_SQL), source.name);
    // While the backup runs, look at every command line on the machine, as `ps` would.
    const watch = setInterval(() => {
      const lines = allCommandLines();
      if (lines.some((l) => l.includes('pg_dump') && l.includes('--snapshot'))) sawPgDump = true;
      leakedArgs = leakedArgs.concat(lines.filter((l) => l.includes(PASSWORD)));
      pgDumpEnv ??= environmentOf(
        (l) => l.includes('pg_dump') && l.includes('--snapshot'),
        `PGDATABASE=${source.name}`,
      );
    }, 5);
    manifest = await runBackup({
      source: postgresSource({ url: withPassword(source.url) }),
      destination: localDestination({ directory: dir.path }),
      options: { progressIntervalMs: 250 },
      onProgress: (p) => progress.push(p),
    }).finally(() => clearInterval(watch));
  });

  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
    await source?.drop();
    await dir?.remove();
  });

  it('writes a manifest with versions, checksum and each table’s row count', async () => {
    expect(manifest.id).toMatch(/^database-\d{8}T\d{6}Z-[a-z0-9]{6}$/);
    expect(manifest).toMatchObject({
      source: 'database',
      kind: 'postgres',
      compression: 'zstd',
      encryption: null,
      database: source.name,
      rowCounts: 'same-snapshot',
    });
    expect(manifest.versions.server).toMatch(/^\d+\.\d+/);
    expect(manifest.versions.tool).toMatch(/pg_dump \(PostgreSQL\) \d+/);
    expect(manifest.versions.keepwatch).toBe('0.1.0');
    expect(manifest.tables).toEqual([
      { schema: 'Second Schema', name: 'Orders', rows: 50 },
      { schema: 'public', name: 'empty_table', rows: 0 },
      { schema: 'public', name: 'filler', rows: 100000 },
      { schema: 'public', name: 'Ünïcödé "quoted" table', rows: 3002 },
    ]);
    expect(manifest.rawBytes).toBeGreaterThan(manifest.storedBytes);
    expect(JSON.stringify(manifest)).not.toContain(PASSWORD);
  });

  it('lays the backup out by source and day, next to its manifest, and lists it', async () => {
    const day = manifest.startedAt.slice(0, 10);
    expect(await allFiles(dir.path)).toEqual([
      `database/${day}/${manifest.id}.manifest.json`,
      `database/${day}/${manifest.id}.pgdump.zst`,
    ]);
    expect(await listBackups(localDestination({ directory: dir.path }))).toEqual([manifest]);
    // The stored file is a real zstd stream of a custom-format dump.
    const head = execFileSync('zstd', ['-d', '-c', join(dir.path, 'database', day, manifest.file)], {
      maxBuffer: 512 * 1024 * 1024,
    }).subarray(0, 5);
    expect(head.toString()).toBe('PGDMP');
  });

  it('never puts the password on a command line', () => {
    expect(sawPgDump).toBe(true);
    expect(leakedArgs).toEqual([]);
  });

  it('restores into a fresh database that equals the original', async () => {
    const target = await createPgDatabase('kw_backup_pg_restored');
    cleanups.push(target.drop);
    const report = await restoreBackup({
      destination: localDestination({ directory: dir.path }),
      id: manifest.id,
      target: postgresTarget({ url: withPassword(target.url) }),
    });
    expect(report.rawBytes).toBe(manifest.rawBytes);
    expect(await pgFingerprint(target.name)).toEqual(await pgFingerprint(source.name));
    const [row] = (
      await pgAdmin((c) => c.query<{ v: number }>(`SELECT "Second Schema".double_it(21) AS v`), target.name)
    ).rows;
    expect(row!.v).toBe(42);
  });

  it('refuses a target that is not empty unless told to clean it, then replaces its contents', async () => {
    const target = await createPgDatabase('kw_backup_pg_busy');
    cleanups.push(target.drop);
    await pgAdmin(
      (c) =>
        c.query(
          `CREATE TABLE "Second Schema_x" (a int); CREATE TABLE empty_table (x int); INSERT INTO empty_table VALUES (7)`,
        ),
      target.name,
    );
    const restore = (clean: boolean) =>
      restoreBackup({
        destination: localDestination({ directory: dir.path }),
        id: manifest.id,
        target: postgresTarget({ url: target.url }),
        clean,
      });
    await expect(restore(false)).rejects.toBeInstanceOf(BackupTargetNotEmptyError);
    const count = async (table: string): Promise<string> =>
      (await pgAdmin((c) => c.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`), target.name)).rows[0]!
        .n;
    const untouched = await count('empty_table');
    expect(untouched).toBe('1');
    await restore(true);
    expect(await count('empty_table')).toBe('0');
    expect(await count('"Second Schema"."Orders"')).toBe('50');
  });

  it('verifies the checksum, and restores into a scratch database that it drops afterwards', async () => {
    const report = await verifyBackup({
      destination: localDestination({ directory: dir.path }),
      id: manifest.id,
      restoreTest: () => createScratchDatabase({ url: source.url }),
    });
    expect(report.ok).toBe(true);
    expect(report.checksum.ok).toBe(true);
    expect(report.restoreTest).toMatchObject({ ok: true, tables: 4, rows: 103052, problems: [], warnings: [] });
    const scratchName = report.restoreTest!.database.split('/').pop()!;
    const left = await pgAdmin((c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [scratchName]));
    expect(left.rows).toEqual([]);
  });

  it('reports progress at most four times a second, ending with the totals', () => {
    expect(progress.length).toBeGreaterThan(0);
    const last = progress.at(-1)!;
    expect(last.rawBytes).toBe(manifest.rawBytes);
    expect(last.storedBytes).toBe(manifest.storedBytes);
    for (let i = 1; i < progress.length - 1; i++) {
      expect(progress[i]!.elapsedMs - progress[i - 1]!.elapsedMs).toBeGreaterThanOrEqual(200);
    }
  });

  it('hands pg_dump the password in its environment, not in a file', () => {
    expect(pgDumpEnv).toContain(`PGPASSWORD=${PASSWORD}`);
    expect(pgDumpEnv!.filter((v) => v.startsWith('PGPASSFILE='))).toEqual([]);
  });
});
