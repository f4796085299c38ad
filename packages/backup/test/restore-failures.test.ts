import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMysqlDatabase, myAdmin } from '@keepwatch/test-support/mariadb';
import { suffix } from '@keepwatch/test-support/names';
import { createPgDatabase, pgAdmin } from '@keepwatch/test-support/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackupAbortedError,
  BackupAuthError,
  BackupToolFailedError,
  databaseSource,
  databaseTarget,
  localDestination,
  postgresSource,
  restoreBackup,
  runBackup,
  type BackupManifest,
} from '../src/index.js';
import { allFiles, tempDir } from './helpers/files.js';
import { mysqlScript } from './helpers/mysql.js';

/** Processes whose parent is this test process (vitest runs each file in a fork of its own). */
function ourChildren(): { pid: number; name: string }[] {
  const out: { pid: number; name: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // `pid (comm) state ppid …`; comm may hold spaces and parentheses, so split after the last ')'.
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === process.pid) out.push({ pid: Number(entry), name: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // Gone while we looked.
    }
  }
  return out;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * Runs `attempt` while noting every process it spawns, and fails the test if it has not settled
 * after `limitMs` (a hang) or left any of them running once it has.
 */
async function settleWithin<T>(
  limitMs: number,
  attempt: () => Promise<T>,
): Promise<{ error: unknown; spawned: string[]; elapsedMs: number }> {
  const seen = new Map<number, string>();
  const look = (): void => {
    for (const { pid, name } of ourChildren()) seen.set(pid, name);
  };
  const watch = setInterval(look, 2);
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const error = await Promise.race([
      attempt().then(
        () => new Error('expected the attempt to fail'),
        (e: unknown) => e,
      ),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`still not settled after ${limitMs} ms: ${[...seen.values()].join(', ')}`)),
          limitMs,
        );
      }),
    ]);
    const elapsedMs = Date.now() - started;
    look();
    const running = [...seen].filter(([pid]) => isAlive(pid)).map(([pid, name]) => `${name} (${pid})`);
    expect(running, 'processes left running after the failure').toEqual([]);
    expect(ourChildren()).toEqual([]);
    return { error, spawned: [...seen.values()], elapsedMs };
  } finally {
    clearInterval(watch);
    clearTimeout(timer);
  }
}

async function script(dir: string, name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('a restore or backup that fails part way stops every stage and reports the first failure', () => {
  let myDb: Awaited<ReturnType<typeof createMysqlDatabase>>;
  let myTarget: Awaited<ReturnType<typeof createMysqlDatabase>>;
  let pgDb: Awaited<ReturnType<typeof createPgDatabase>>;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let myManifest: BackupManifest;
  let pgManifest: BackupManifest;
  const user = `kw_rf_${suffix()}`;
  const password = `right-${suffix()}`;
  const other = `kw_rf_other_${suffix()}`;
  const otherPassword = `other-${suffix()}`;
  const destination = (): ReturnType<typeof localDestination> =>
    localDestination({ directory: join(dir.path, 'backups') });
  const myUrl = (db: string, pw = password): string => `mysql://${user}:${pw}@127.0.0.1:3306/${db}`;

  beforeAll(async () => {
    dir = await tempDir('kw-restore-fail');
    await mkdir(join(dir.path, 'bin'));
    myDb = await createMysqlDatabase('kw_rf_src');
    myTarget = await createMysqlDatabase('kw_rf_dst');
    pgDb = await createPgDatabase('kw_rf_src');
    // A dump of a few MB: zstd is still busy when the restore tool gives up.
    await mysqlScript(
      myDb.name,
      `CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(100)) ENGINE=InnoDB; INSERT INTO t SELECT seq, CONCAT(MD5(seq), MD5(seq * 3)) FROM seq_1_to_150000`,
    );
    await mysqlScript(myTarget.name, `CREATE TABLE keep_me (x INT); INSERT INTO keep_me VALUES (42)`);
    await pgAdmin(
      (c) =>
        c.query(
          `CREATE TABLE t AS SELECT g AS id, md5(g::text) || md5((g * 3)::text) AS v FROM generate_series(1, 150000) g`,
        ),
      pgDb.name,
    );
    await myAdmin(async (c) => {
      await c.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [user, password]);
      await c.query(`GRANT ALL ON \`${myDb.name}\`.* TO ?@'%'`, [user]);
      await c.query(`GRANT ALL ON \`${myTarget.name}\`.* TO ?@'%'`, [user]);
      await c.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [other, otherPassword]);
      await c.query(`GRANT ALL ON \`${myTarget.name}\`.* TO ?@'%'`, [other]);
    });
    myManifest = await runBackup({ source: databaseSource({ url: myUrl(myDb.name) }), destination: destination() });
    pgManifest = await runBackup({ source: postgresSource({ url: pgDb.url }), destination: destination() });
    expect(myManifest.rawBytes).toBeGreaterThan(5_000_000);
    expect(pgManifest.rawBytes).toBeGreaterThan(5_000_000);
  });

  afterAll(async () => {
    await myAdmin((c) => c.query(`DROP USER IF EXISTS ?@'%', ?@'%'`, [user, other])).catch(() => {});
    await myDb?.drop();
    await myTarget?.drop();
    await pgDb?.drop();
    await dir?.remove();
  });

  it('a wrong MariaDB password with clean fails at once, names the authentication problem, and leaves no zstd behind', async () => {
    const wrong = `wrong-${suffix()}`;
    const { error, elapsedMs } = await settleWithin(10_000, () =>
      restoreBackup({
        destination: destination(),
        id: myManifest.id,
        target: databaseTarget({ url: myUrl(myTarget.name, wrong) }),
        clean: true,
      }),
    );
    expect(elapsedMs).toBeLessThan(5000);
    expect(error).toBeInstanceOf(BackupAuthError);
    expect((error as Error).message).toContain(`mysql://${user}@127.0.0.1:3306/${myTarget.name}`);
    expect((error as Error).message).toMatch(/authentication failed.*Access denied/);
    expect((error as Error).message).not.toContain(wrong);
    expect((error as Error).message).not.toContain(password);
    // Nothing was dropped: the credentials were refused before anything was touched.
    expect(await myAdmin(async (c) => (await c.query(`SELECT x FROM \`${myTarget.name}\`.keep_me`))[0])).toEqual([
      { x: 42 },
    ]);
  });

  it('a mariadb client that is refused mid-stream stops zstd and the file read, with its exit code and stderr', async () => {
    // The clean step connects as `user`; the client this wrapper runs logs in as `other` with
    // `user`'s password (MYSQL_PWD), so only the client is refused, as zstd streams.
    const client = await script(
      join(dir.path, 'bin'),
      'mariadb',
      `for a; do shift; case "$a" in --user=*) set -- "$@" --user=${other};; *) set -- "$@" "$a";; esac; done; exec mariadb "$@"`,
    );
    const { error, spawned, elapsedMs } = await settleWithin(10_000, () =>
      restoreBackup({
        destination: destination(),
        id: myManifest.id,
        target: databaseTarget({ url: myUrl(myTarget.name), mysqlPath: client }),
        clean: true,
      }),
    );
    expect(elapsedMs).toBeLessThan(5000);
    expect(spawned).toEqual(expect.arrayContaining(['zstd', 'mariadb']));
    expect(error).toBeInstanceOf(BackupToolFailedError);
    expect(error).toMatchObject({ tool: 'mariadb', exitCode: 1, signal: null, retryable: false });
    expect((error as BackupToolFailedError).stderrTail).toMatch(/ERROR 1045 .*Access denied for user '[^']+'/);
    expect((error as Error).message).toMatch(/^mariadb exited with code 1: ERROR 1045/);
    expect((error as Error).message).not.toContain(password);
    expect((error as Error).message).not.toContain(otherPassword);
  });

  it('pg_restore failing on a database that does not exist (clean) stops zstd, with pg_restore’s error', async () => {
    const missing = `kw_rf_missing_${suffix()}`;
    const secret = `pw-${suffix()}`;
    const { error, spawned, elapsedMs } = await settleWithin(10_000, () =>
      restoreBackup({
        destination: destination(),
        id: pgManifest.id,
        target: databaseTarget({ url: `postgres://postgres:${secret}@127.0.0.1:5432/${missing}` }),
        clean: true,
      }),
    );
    expect(elapsedMs).toBeLessThan(5000);
    expect(spawned).toEqual(expect.arrayContaining(['zstd', 'pg_restore']));
    expect(error).toBeInstanceOf(BackupToolFailedError);
    expect(error).toMatchObject({ tool: 'pg_restore', exitCode: 1, retryable: false });
    expect((error as BackupToolFailedError).stderrTail).toContain(`database "${missing}" does not exist`);
    expect((error as Error).message).not.toContain(secret);
  });

  it('aborting a restore part way stops zstd and pg_restore, and the target keeps nothing of it', async () => {
    const target = await createPgDatabase('kw_rf_dst');
    try {
      const controller = new AbortController();
      const { error, spawned } = await settleWithin(10_000, () =>
        restoreBackup({
          destination: destination(),
          id: pgManifest.id,
          target: databaseTarget({ url: target.url }),
          signal: controller.signal,
          progressIntervalMs: 10,
          onProgress: (p) => {
            if (p.rawBytes > 0) controller.abort(new Error('operator pressed ^C'));
          },
        }),
      );
      expect(spawned).toEqual(expect.arrayContaining(['zstd', 'pg_restore']));
      expect(error).toBeInstanceOf(BackupAbortedError);
      expect((error as Error).message).toBe(`restore of ${pgManifest.id} into ${target.url} was aborted`);
      // One transaction, killed before it committed.
      expect(
        (await pgAdmin((c) => c.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`), target.name))
          .rows,
      ).toEqual([]);
    } finally {
      await target.drop();
    }
  });

  it('zstd dying during a backup stops pg_dump and is what the backup fails with', async () => {
    const zstd = await script(
      join(dir.path, 'bin'),
      'zstd',
      `head -c 200000 >/dev/null; echo "zstd: simulated: No space left on device" >&2; exit 7`,
    );
    const where = join(dir.path, 'failed-backup');
    const { error, spawned } = await settleWithin(10_000, () =>
      runBackup({
        source: postgresSource({ url: pgDb.url }),
        destination: localDestination({ directory: where }),
        options: { zstdPath: zstd },
      }),
    );
    expect(spawned).toEqual(expect.arrayContaining(['pg_dump']));
    expect(error).toBeInstanceOf(BackupToolFailedError);
    expect(error).toMatchObject({ tool: 'zstd', exitCode: 7 });
    expect((error as BackupToolFailedError).stderrTail).toContain('simulated: No space left on device');
    expect(await allFiles(where)).toEqual([]);
  });
});
