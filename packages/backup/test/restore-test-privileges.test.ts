// A restore test run by a database user who may not create databases (issue 16, item 10): a
// coded error naming the privilege and the grant, and that grant is enough.
import { createMysqlDatabase, myAdmin } from '@keepwatch/test-support/mariadb';
import { suffix } from '@keepwatch/test-support/names';
import { createPgDatabase, pgAdmin } from '@keepwatch/test-support/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackupScratchPrivilegeError,
  createScratchDatabase,
  localDestination,
  runBackup,
  verifyBackup,
  databaseSource,
} from '../src/index.js';
import { tempDir } from './helpers/files.js';
import { mysqlScript } from './helpers/mysql.js';

const user = `kw_rt_${suffix()}`;
const password = `pw-${suffix()}`;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  dir = await tempDir('kw-restore-test-privileges');
});
afterAll(async () => {
  await dir?.remove();
});

/** The statement the error tells an administrator to run. */
function grantIn(error: unknown): string {
  return /with (.*)$/.exec((error as Error).message)![1]!;
}

describe('a restore test on PostgreSQL by a role without CREATEDB', () => {
  let source: Awaited<ReturnType<typeof createPgDatabase>>;
  let id: string;
  const url = (): string => source.url.replace('postgres@', `${user}:${password}@`);

  beforeAll(async () => {
    source = await createPgDatabase('kw_rt_pg');
    await pgAdmin((c) => c.query('CREATE TABLE ticket AS SELECT g AS id FROM generate_series(1, 300) g'), source.name);
    await pgAdmin((c) => c.query(`CREATE ROLE ${user} LOGIN NOCREATEDB PASSWORD '${password}'`));
    id = (
      await runBackup({
        source: databaseSource({ url: source.url }),
        destination: localDestination({ directory: dir.path }),
      })
    ).id;
  });
  afterAll(async () => {
    await source?.drop();
    await pgAdmin((c) => c.query(`DROP ROLE IF EXISTS ${user}`)).catch(() => {});
  });

  it('fails with KW_BACKUP_SCRATCH_PRIVILEGE_MISSING naming CREATEDB and the grant, which is enough', async () => {
    const verify = () =>
      verifyBackup({
        destination: localDestination({ directory: dir.path }),
        id,
        restoreTest: () => createScratchDatabase({ url: url() }),
      });
    const error = await verify().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupScratchPrivilegeError);
    expect(error).toMatchObject({
      code: 'KW_BACKUP_SCRATCH_PRIVILEGE_MISSING',
      privilege: 'CREATEDB',
      retryable: false,
    });
    expect((error as Error).message).toBe(
      `postgres://${user}@127.0.0.1:5432/${source.name}: the restore test cannot create its scratch database (kw_verify_…): ` +
        `role "${user}" lacks the CREATEDB privilege; give it, as an administrator, with ALTER ROLE "${user}" CREATEDB;`,
    );
    expect((error as Error).message).not.toContain(password);

    await pgAdmin((c) => c.query(grantIn(error)));
    const report = await verify();
    expect(report.restoreTest).toMatchObject({ ok: true, tables: 1, rows: 300, problems: [] });
  });
});

describe('a restore test on MariaDB by a user without the CREATE privilege', () => {
  let source: Awaited<ReturnType<typeof createMysqlDatabase>>;
  let id: string;
  const url = (): string => source.url.replace('root@', `${user}:${password}@`);

  beforeAll(async () => {
    source = await createMysqlDatabase('kw_rt_my');
    await mysqlScript(
      source.name,
      'CREATE TABLE ticket (id INT PRIMARY KEY); INSERT INTO ticket SELECT seq FROM seq_1_to_300',
    );
    await myAdmin(async (c) => {
      await c.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [user, password]);
      await c.query(`GRANT SELECT, LOCK TABLES, SHOW VIEW, TRIGGER, EVENT ON \`${source.name}\`.* TO ?@'%'`, [user]);
    });
    id = (
      await runBackup({
        source: databaseSource({ url: url() }),
        destination: localDestination({ directory: dir.path }),
      })
    ).id;
  });
  afterAll(async () => {
    await source?.drop();
    await myAdmin((c) => c.query(`DROP USER IF EXISTS ?@'%'`, [user])).catch(() => {});
  });

  it('fails with KW_BACKUP_SCRATCH_PRIVILEGE_MISSING naming CREATE and the grant, which is enough', async () => {
    const verify = () =>
      verifyBackup({
        destination: localDestination({ directory: dir.path }),
        id,
        restoreTest: () => createScratchDatabase({ url: url() }),
      });
    const error = await verify().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupScratchPrivilegeError);
    expect(error).toMatchObject({ code: 'KW_BACKUP_SCRATCH_PRIVILEGE_MISSING', privilege: 'CREATE', retryable: false });
    expect((error as Error).message).toBe(
      `mysql://${user}@127.0.0.1:3306/${source.name}: the restore test cannot create its scratch database (kw_verify_…): ` +
        `'${user}'@'%' lacks the CREATE privilege; give it, as an administrator, with ` +
        `GRANT ALL PRIVILEGES ON \`kw\\_verify\\_%\`.* TO '${user}'@'%';`,
    );
    expect((error as Error).message).not.toContain(password);

    await myAdmin((c) => c.query(grantIn(error)));
    const report = await verify();
    expect(report.restoreTest).toMatchObject({ ok: true, tables: 1, rows: 300, problems: [] });
    // The grant covers only the scratch databases' names.
    const [rows] = await myAdmin((c) => c.query<import('mysql2').RowDataPacket[]>(`SHOW GRANTS FOR ?@'%'`, [user]));
    const global = rows.map((row) => String(Object.values(row)[0])).filter((grant) => grant.includes(' ON *.* '));
    expect(global).toEqual([expect.stringMatching(/^GRANT USAGE ON \*\.\* /)]);
  });
});
