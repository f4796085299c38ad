// The disaster drill with an SSH remote (a real sshd of the test's own): what the s3:// drill
// does, over rsync, so both kinds of [backup] remote are restorable from the remote alone.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTree, makeDataDir, selected } from '@keepwatch/test-support/data-dir';
import { PG_URL, pgAdmin } from '@keepwatch/test-support/postgres';
import { startSshd, type TestSshd } from '@keepwatch/test-support/sshd';
import { runCli } from './helpers/run-cli.js';

const suffix = randomBytes(4).toString('hex');
const database = `kw_cli_ssh_${suffix}`;
let dir: string;
let sshd: TestSshd;

function env(): Record<string, string> {
  return {
    KEEPWATCH_DATABASE_URL: `${PG_URL}/${database}`,
    KEEPWATCH_DATA_DIR: join(dir, 'data'),
    KEEPWATCH_BACKUP_DESTINATION: join(dir, 'backups'),
    KEEPWATCH_BACKUP_REMOTE: `root@127.0.0.1:${join(dir, 'remote')}`,
    KEEPWATCH_BACKUP_REMOTE_PORT: String(sshd.port),
    KEEPWATCH_BACKUP_REMOTE_IDENTITY_FILE: sshd.identityFile,
    KEEPWATCH_BACKUP_REMOTE_KNOWN_HOSTS_FILE: sshd.knownHostsFile,
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-cli-ssh-'));
  sshd = await startSshd(dir);
  makeDataDir(join(dir, 'data'), 6);
  await pgAdmin((c) => c.query(`CREATE DATABASE ${database}`));
  await pgAdmin(async (c) => {
    await c.query('CREATE TABLE ticket (id int PRIMARY KEY, holder text NOT NULL)');
    await c.query(`INSERT INTO ticket SELECT g, 'holder ' || g FROM generate_series(1, 300) g`);
  }, database);
}, 30_000);

afterAll(async () => {
  await sshd?.stop();
  await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}, 30_000);

describe('the disaster drill with an SSH remote', { timeout: 120_000 }, () => {
  it('lists, verifies and restores from the remote alone once the local backups are gone', async () => {
    const ids: string[] = [];
    for (const source of ['database', 'data']) {
      const run = await runCli(['backup', 'run', '--source', source, '--json'], env(), 60_000);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      ids.push((JSON.parse(run.stdout) as { id: string }).id);
    }
    await rm(join(dir, 'backups'), { recursive: true, force: true });

    const list = await runCli(['backup', 'list', '--remote', '--json'], env(), 30_000);
    expect(list.stderr).toBe('');
    expect((JSON.parse(list.stdout) as { id: string; kind: string }[]).map((b) => [b.id, b.kind])).toEqual([
      [ids[0], 'postgres'],
      [ids[1], 'data'],
    ]);

    const verify = await runCli(['backup', 'verify', ids[0]!, '--restore-test'], env(), 60_000);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(new RegExp(`^fetched from root@127\\.0\\.0\\.1:${sshd.port}/`, 'm'));
    expect(verify.stdout).toMatch(/^restore test: ok \(1 tables, 300 rows /m);

    const target = join(dir, 'restored');
    const restore = await runCli(['backup', 'restore', ids[1]!, '--target', target], env(), 30_000);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(listTree(target)).toEqual(selected(join(dir, 'data')));
    expect(await readdir(join(dir, 'backups'))).toEqual([]);
  });
});
