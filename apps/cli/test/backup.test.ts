import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MY_URL as MY, myAdmin } from '@keepwatch/test-support/mariadb';
import { PG_URL as PG, pgAdmin } from '@keepwatch/test-support/postgres';
import { runCli } from './helpers/run-cli.js';

const suffix = randomBytes(4).toString('hex');
const pgSource = `kw_cli_backup_${suffix}`;
const pgFresh = `kw_cli_backup_${suffix}_fresh`;
const mySource = `kw_cli_backup_${suffix}`;
const myFresh = `kw_cli_backup_${suffix}_fresh`;
const redisPrefix = `kw-test-cli-backup-${suffix}:`;
let dir: string;

function env(databaseUrl: string): Record<string, string> {
  return {
    KEEPWATCH_DATABASE_URL: databaseUrl,
    KEEPWATCH_REDIS_URL: 'redis://127.0.0.1:6379/0',
    KEEPWATCH_REDIS_PREFIX: redisPrefix,
    KEEPWATCH_DATA_DIR: join(dir, 'data'),
    KEEPWATCH_BACKUP_DESTINATION: join(dir, 'backups'),
  };
}

interface Manifest {
  id: string;
  source: string;
  kind: string;
  tables: { name: string; rows: number }[];
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-cli-backup-'));
  await pgAdmin(async (c) => {
    await c.query(`CREATE DATABASE ${pgSource}`);
    await c.query(`CREATE DATABASE ${pgFresh}`);
  });
  await pgAdmin(async (c) => {
    await c.query('CREATE TABLE ticket (id int PRIMARY KEY, holder text NOT NULL)');
    await c.query(`INSERT INTO ticket SELECT g, 'holder ' || g FROM generate_series(1, 500) g`);
  }, pgSource);
  await myAdmin(async (c) => {
    await c.query(`CREATE DATABASE ${mySource}`);
    await c.query(`CREATE DATABASE ${myFresh}`);
    await c.query(`USE ${mySource}`);
    await c.query(`CREATE TABLE ${mySource}.ticket (id int PRIMARY KEY, holder varchar(40) NOT NULL)`);
    await c.query(`INSERT INTO ${mySource}.ticket SELECT seq, CONCAT('holder ', seq) FROM seq_1_to_300`);
  });
}, 30_000);

afterAll(async () => {
  await pgAdmin(async (c) => {
    for (const db of [pgSource, pgFresh]) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }).catch(() => undefined);
  await myAdmin(async (c) => {
    for (const db of [mySource, myFresh]) await c.query(`DROP DATABASE IF EXISTS ${db}`);
  }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}, 30_000);

describe('keepwatch backup on PostgreSQL', () => {
  let id: string;

  it('run --json prints the manifest of a finished backup, which list then shows', async () => {
    const run = await runCli(['backup', 'run', '--source', 'database', '--json'], env(`${PG}/${pgSource}`), 60_000);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const manifest = JSON.parse(run.stdout) as Manifest;
    expect(manifest).toMatchObject({ source: 'database', kind: 'postgres' });
    expect(manifest.tables).toContainEqual(expect.objectContaining({ name: 'ticket', rows: 500 }));
    id = manifest.id;

    const list = await runCli(['backup', 'list', '--json'], env(`${PG}/${pgSource}`));
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as Manifest[]).map((m) => m.id)).toContain(id);

    const table = await runCli(['backup', 'list', '--source', 'database'], env(`${PG}/${pgSource}`));
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      new RegExp(
        `^${id}\\s+database\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:]+Z\\s+[\\d.]+ kB\\s+[\\d.]+ (kB|B)\\s+zstd\\s+[0-9a-f]{12}$`,
        'm',
      ),
    );
  }, 70_000);

  it('waits for a backup of the same source that holds the Redis lock, then gives up naming it', async () => {
    const redis = new Redis('redis://127.0.0.1:6379/0');
    const key = `${redisPrefix}backup:lock:database`;
    try {
      await redis.set(key, 'a-worker-elsewhere', 'PX', 30_000);
      const started = Date.now();
      const run = await runCli(['backup', 'run'], { ...env(`${PG}/${pgSource}`), KEEPWATCH_BACKUP_LOCK_WAIT: '1s' });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/a backup of source "database" is already running \(waited \d+ ms/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
      expect(await redis.get(key)).toBe('a-worker-elsewhere');
    } finally {
      await redis.del(key);
      redis.disconnect();
    }
  }, 30_000);

  it('verify --restore-test restores it into a scratch database and exits 0', async () => {
    const verify = await runCli(['backup', 'verify', id, '--restore-test'], env(`${PG}/${pgSource}`), 60_000);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/checksum: ok/);
    expect(verify.stdout).toMatch(/restore test: ok \(1 tables, 500 rows/);
    const leftovers = await pgAdmin((c) => c.query(`SELECT datname FROM pg_database WHERE datname LIKE 'kw_verify_%'`));
    expect(leftovers.rows.map((r: { datname: string }) => r.datname)).not.toContain(
      verify.stdout.match(/kw_verify_\w+/)?.[0],
    );
  }, 70_000);

  it('restore --target puts the same rows into a fresh database', async () => {
    const restore = await runCli(
      ['backup', 'restore', id, '--target', `${PG}/${pgFresh}`, '--json'],
      env(`${PG}/${pgSource}`),
      60_000,
    );
    expect(restore.code).toBe(0);
    expect(JSON.parse(restore.stdout)).toMatchObject({ id });
    const rows = (db: string) => pgAdmin((c) => c.query('SELECT id, holder FROM ticket ORDER BY id'), db);
    expect((await rows(pgFresh)).rows).toEqual((await rows(pgSource)).rows);
  }, 70_000);

  it('refuses to restore into a database that is not empty without --clean, and exits 1', async () => {
    const restore = await runCli(
      ['backup', 'restore', id, '--target', `${PG}/${pgFresh}`],
      env(`${PG}/${pgSource}`),
      60_000,
    );
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain(`postgres://postgres@127.0.0.1:5432/${pgFresh} is not empty`);
    expect(restore.stderr).toContain('--clean');
  }, 70_000);

  it('fails a verify of a backup whose file was damaged', async () => {
    const list = await runCli(['backup', 'list', '--json'], env(`${PG}/${pgSource}`));
    const manifest = (JSON.parse(list.stdout) as (Manifest & { file: string })[]).find((m) => m.id === id)!;
    const files = await readdir(join(dir, 'backups'), { recursive: true });
    const path = join(dir, 'backups', files.find((f) => f.endsWith(manifest.file))!);
    const bytes = await readFile(path);
    bytes[bytes.length - 1] = bytes.at(-1)! ^ 0xff;
    await writeFile(path, bytes);
    const verify = await runCli(['backup', 'verify', id, '--json'], env(`${PG}/${pgSource}`));
    expect(verify.code).toBe(1);
    expect(JSON.parse(verify.stdout)).toMatchObject({ id, ok: false, checksum: { ok: false } });
  }, 30_000);
});

describe('keepwatch backup on MariaDB', () => {
  it('runs a backup and restores it into a fresh database with the same rows, never printing the password', async () => {
    const run = await runCli(['backup', 'run', '--json'], env(`${MY}/${mySource}`), 60_000);
    expect(run.code, run.stderr).toBe(0);
    const manifest = JSON.parse(run.stdout) as Manifest;
    expect(manifest).toMatchObject({ kind: 'mysql' });
    expect(manifest.tables).toContainEqual(expect.objectContaining({ name: 'ticket', rows: 300 }));

    const restore = await runCli(
      ['backup', 'restore', manifest.id, '--target', `${MY}/${myFresh}`],
      env(`${MY}/${mySource}`),
      60_000,
    );
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain(`restored ${manifest.id} into mysql://root@127.0.0.1:3306/${myFresh}`);
    const rows = (db: string) =>
      myAdmin(async (c) => (await c.query(`SELECT id, holder FROM ${db}.ticket ORDER BY id`))[0]);
    expect(await rows(myFresh)).toEqual(await rows(mySource));
  }, 130_000);

  it('takes the --target password from KW_TARGET_PASSWORD, keeping it off the command line', async () => {
    const list = await runCli(['backup', 'list', '--json'], env(`${MY}/${mySource}`));
    const [manifest] = (JSON.parse(list.stdout) as Manifest[]).filter((m) => m.kind === 'mysql');
    const password = `cli-target-env-pw-${suffix}`;
    const restore = await runCli(
      ['backup', 'restore', manifest!.id, '--target', `${MY}/${myFresh}`],
      {
        ...env(`${MY}/${mySource}`),
        KW_TARGET_PASSWORD: password,
      },
      60_000,
    );
    // root has no password here, so the server refusing it shows the variable was used.
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(/authentication failed|Access denied/);
    expect(restore.stdout + restore.stderr).not.toContain(password);
  }, 70_000);

  it("fails a backup with a wrong password with the tool's message, without the password", async () => {
    const run = await runCli(
      ['backup', 'run'],
      env(`mysql://root:cli-wrong-pw-${suffix}@127.0.0.1:3306/${mySource}`),
      60_000,
    );
    // root has no password here, so a given one is refused by the server.
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^keepwatch: .*(authentication failed|Access denied)/m);
    expect(run.stdout + run.stderr).not.toContain('cli-wrong-pw');
  }, 70_000);
});

describe('keepwatch backup usage', () => {
  const usage = (args: string[]) => runCli(args, env(`${PG}/${pgSource}`));

  it('exits 2 for an unknown source, naming the known ones', async () => {
    const result = await usage(['backup', 'run', '--source', 'nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown backup source "nope"; sources: database/);
  });

  it('exits 2 for an id that is not a backup id, and touches no path', async () => {
    for (const args of [
      ['backup', 'verify', '../../etc/passwd'],
      ['backup', 'restore', '../../etc/passwd', '--target', `${PG}/${pgFresh}`],
    ]) {
      const result = await usage(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('backup id "../../etc/passwd" is not valid');
    }
  });

  it('exits 2 for a missing --target, a bad --target URL and an unknown option', async () => {
    const id = 'database-20260101T000000Z-abcdef';
    const missing = await usage(['backup', 'restore', id]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--target URL is required');
    const bad = await usage(['backup', 'restore', id, '--target', 'ftp://user:cli-target-pw@host/db']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/url: expected a URL starting with postgres:\/\//);
    expect(bad.stderr).not.toContain('cli-target-pw');
    const unknown = await usage(['backup', 'run', '--compress']);
    expect(unknown.code).toBe(2);
  });

  it('exits 1 for a backup that does not exist', async () => {
    const result = await usage(['backup', 'verify', 'database-20260101T000000Z-abcdef']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/backup "database-20260101T000000Z-abcdef" not found/);
  });
});
