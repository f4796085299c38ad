import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createScratchDatabase,
  databaseSource,
  databaseTarget,
  listBackups,
  localDestination,
  restoreBackup,
  runBackup,
  verifyBackup,
  BackupTargetNotEmptyError,
  type BackupManifest,
} from '../src/index.js';
import { allCommandLines, allFiles, tempDir } from './helpers/files.js';
import { createMysqlDatabase, myAdmin } from '@keepwatch/test-support/mariadb';
import { suffix } from '@keepwatch/test-support/names';
import { mysqlFingerprint, mysqlScript } from './helpers/mysql.js';

const T = '`Ünïcödé ``quoted`` table`';
const AWKWARD_SQL = `
  CREATE TABLE ${T} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(200) NOT NULL, payload LONGBLOB, body LONGTEXT) ENGINE=InnoDB;
  INSERT INTO ${T} (name, payload, body) VALUES
    ('naïve ☃ 🦄', 0x00FF10, REPEAT('large text ä ', 100000)),
    ('tab\\there "q" \\\\ back', UNHEX(REPEAT('00FF', 50000)), NULL);
  INSERT INTO ${T} (name, payload, body) SELECT CONCAT('row ', seq), UNHEX(MD5(seq)), MD5(seq) FROM seq_1_to_3000;
  CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, item_id INT, note VARCHAR(100),
    FOREIGN KEY (item_id) REFERENCES ${T}(id)) ENGINE=InnoDB;
  CREATE TRIGGER orders_note BEFORE INSERT ON orders FOR EACH ROW SET NEW.note = COALESCE(NEW.note, 'none');
  INSERT INTO orders (item_id, note) SELECT seq, IF(seq % 2, CONCAT('order ', seq), NULL) FROM seq_1_to_50;
  CREATE VIEW \`order summary\` AS SELECT o.id, t.name FROM orders o JOIN ${T} t ON t.id = o.item_id;
  CREATE FUNCTION double_it(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
  CREATE PROCEDURE count_orders(OUT n INT) SELECT COUNT(*) INTO n FROM orders;
  CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DO DELETE FROM orders WHERE id < 0;
  CREATE TABLE empty_table (x INT);
  CREATE TABLE filler ENGINE=InnoDB AS SELECT seq AS id, CONCAT(MD5(seq), MD5(seq * 7)) AS v FROM seq_1_to_100000;
`;

describe('MariaDB backup and restore', () => {
  let source: Awaited<ReturnType<typeof createMysqlDatabase>>;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const user = `kw_bk_${suffix()}`;
  const password = `pw-${suffix()}-"q'#\\`;
  const url = (db: string): string => `mysql://${user}:${encodeURIComponent(password)}@127.0.0.1:3306/${db}`;
  const cleanups: (() => Promise<void>)[] = [];
  let manifest: BackupManifest;
  let leaked: string[] = [];
  let sawDump = false;

  beforeAll(async () => {
    source = await createMysqlDatabase('kw_backup_my');
    dir = await tempDir('kw-backup-my');
    await mysqlScript(source.name, AWKWARD_SQL);
    // A user of its own with a password full of quote and comment characters.
    await myAdmin(async (c) => {
      await c.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [user, password]);
      await c.query(`GRANT ALL ON *.* TO ?@'%'`, [user]);
    });
    const watch = setInterval(() => {
      const lines = allCommandLines();
      if (lines.some((l) => l.includes('--single-transaction'))) sawDump = true;
      leaked = leaked.concat(lines.filter((l) => l.includes(password)));
    }, 5);
    manifest = await runBackup({
      source: databaseSource({ url: url(source.name) }),
      destination: localDestination({ directory: dir.path }),
    }).finally(() => clearInterval(watch));
  });

  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
    await myAdmin((c) => c.query(`DROP USER IF EXISTS ?@'%'`, [user])).catch(() => {});
    await source?.drop();
    await dir?.remove();
  });

  it('writes a manifest with versions and row counts', () => {
    expect(manifest).toMatchObject({
      kind: 'mysql',
      source: 'database',
      database: source.name,
      compression: 'zstd',
      rowCounts: 'same-snapshot',
    });
    expect(manifest.versions.server).toMatch(/MariaDB/);
    expect(manifest.versions.tool).toMatch(/mariadb-dump|mysqldump/);
    expect(manifest.tables).toEqual([
      { schema: '', name: 'empty_table', rows: 0 },
      { schema: '', name: 'filler', rows: 100000 },
      { schema: '', name: 'orders', rows: 50 },
      { schema: '', name: 'Ünïcödé `quoted` table', rows: 3002 },
    ]);
    expect(JSON.stringify(manifest)).not.toContain(password);
  });

  it('never puts the password on a command line', () => {
    expect(sawDump).toBe(true);
    expect(leaked).toEqual([]);
  });

  it('restores into a fresh database that equals the original', async () => {
    const target = await createMysqlDatabase('kw_backup_my_restored');
    cleanups.push(target.drop);
    const report = await restoreBackup({
      destination: localDestination({ directory: dir.path }),
      id: manifest.id,
      target: databaseTarget({ url: url(target.name) }),
    });
    expect(report.rawBytes).toBe(manifest.rawBytes);
    expect(await mysqlFingerprint(target.name)).toEqual(await mysqlFingerprint(source.name));
    const [[row]] = await myAdmin((c) => c.query<RowDataPacket[]>(`SELECT \`${target.name}\`.double_it(21) AS v`));
    expect(row!.v).toBe(42);
  });

  it('refuses a target that is not empty unless told to clean it', async () => {
    const target = await createMysqlDatabase('kw_backup_my_busy');
    cleanups.push(target.drop);
    await mysqlScript(target.name, 'CREATE TABLE stray (a INT); INSERT INTO stray VALUES (1)');
    const restore = (clean: boolean) =>
      restoreBackup({
        destination: localDestination({ directory: dir.path }),
        id: manifest.id,
        target: databaseTarget({ url: target.url }),
        clean,
      });
    await expect(restore(false)).rejects.toBeInstanceOf(BackupTargetNotEmptyError);
    expect(await myAdmin(async (c) => (await c.query(`SELECT * FROM \`${target.name}\`.stray`))[0])).toEqual([
      { a: 1 },
    ]);
    await restore(true);
    const [tables] = await myAdmin((c) =>
      c.query<RowDataPacket[]>(
        `SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1`,
        [target.name],
      ),
    );
    expect(tables.map((t) => t.n)).toEqual([
      'empty_table',
      'filler',
      'order summary',
      'orders',
      'Ünïcödé `quoted` table',
    ]);
  });

  it('passes a restore test in a scratch database, which is dropped afterwards', async () => {
    const report = await verifyBackup({
      destination: localDestination({ directory: dir.path }),
      id: manifest.id,
      restoreTest: () => createScratchDatabase({ url: url(source.name) }),
    });
    expect(report.restoreTest).toMatchObject({ ok: true, tables: 4, rows: 103052, problems: [] });
    const scratch = report.restoreTest!.database.split('/').pop()!;
    expect(
      await myAdmin(
        async (c) => (await c.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [scratch]))[0],
      ),
    ).toEqual([]);
  });

  it('lists the backup and keeps only it and its manifest on disk', async () => {
    expect((await listBackups(localDestination({ directory: dir.path }))).map((m) => m.id)).toEqual([manifest.id]);
    expect(await allFiles(dir.path)).toHaveLength(2);
  });
});
