import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSnapshots } from '@keepwatch/backup';
import { BackupJobName, QueueName, backupJobDefaults } from '@keepwatch/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../src/start-worker.js';
import { makeDataDir, selected } from '@keepwatch/test-support/data-dir';
import { startSshd, type TestSshd } from '@keepwatch/test-support/sshd';
import { PG_URL, pgAdmin } from '@keepwatch/test-support/postgres';
import { silentLogger, testQueue, testWorkerConfig } from './helpers/worker-harness.js';

const suffix = randomBytes(4).toString('hex');
const database = `kw_worker_remote_${suffix}`;
const cleanups: (() => Promise<unknown>)[] = [];
let dir: string;
let sshd: TestSshd;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-worker-remote-'));
  sshd = await startSshd(dir);
  await pgAdmin((c) => c.query(`CREATE DATABASE ${database}`));
  await pgAdmin((c) => c.query('CREATE TABLE ticket (id int PRIMARY KEY)'), database);
}, 30_000);

afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  await sshd?.stop();
  await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}, 30_000);

/** A worker of its own whose [backup] remote is this test's sshd, with the given known_hosts file. */
async function workerFor(name: string, knownHostsFile: string) {
  const prefix = `kw-test-worker-remote-${suffix}-${name}:`;
  const root = join(dir, name);
  makeDataDir(join(root, 'data'), 10);
  const loaded = await testWorkerConfig(root, prefix, {
    KEEPWATCH_DATABASE_URL: `${PG_URL}/${database}`,
    KEEPWATCH_BACKUP_KEEP_LAST: '2',
    KEEPWATCH_BACKUP_REMOTE: `root@127.0.0.1:${join(root, 'remote')}`,
    KEEPWATCH_BACKUP_REMOTE_PORT: String(sshd.port),
    KEEPWATCH_BACKUP_REMOTE_IDENTITY_FILE: sshd.identityFile,
    KEEPWATCH_BACKUP_REMOTE_KNOWN_HOSTS_FILE: knownHostsFile,
  });
  const worker = await startWorker({ loaded, logger: silentLogger() });
  const { queue, events, close } = await testQueue(QueueName.backup, prefix);
  cleanups.push(async () => {
    await worker.close();
    await close();
  });
  const run = async (source: string) => {
    const job = await queue.add(BackupJobName, { source, trigger: 'manual' }, backupJobDefaults);
    return {
      job,
      result: job.waitUntilFinished(events, 60_000) as Promise<{ id: string; remote: string | null; file?: string }>,
    };
  };
  return { root, remote: join(root, 'remote'), run, queue };
}

const inode = (path: string) => statSync(path).ino;

describe('the remote copy after each backup, on a real sshd', { timeout: 120_000 }, () => {
  it('pushes data snapshots (linked to the previous copy) and database backups, and removes what retention removed', async () => {
    const { root, remote, run } = await workerFor('ok', sshd.knownHostsFile);
    const first = await (await run('data')).result;
    expect(first.remote).toBe(`root@127.0.0.1:${sshd.port}${remote}`);
    expect(selected(join(remote, 'data', first.id, 'tree'))).toEqual(selected(join(root, 'data')));

    await writeFile(join(root, 'data', 'media', 'uploads', 'file-3.bin'), 'new content');
    const second = await (await run('data')).result;
    expect(selected(join(remote, 'data', second.id, 'tree'))).toEqual(selected(join(root, 'data')));
    // Unchanged files are hard links to the first copy on the remote too; the changed one is not.
    const file = (id: string, path: string) => join(remote, 'data', id, 'tree', 'media', path);
    expect(inode(file(second.id, 'avatars/file-0.bin'))).toBe(inode(file(first.id, 'avatars/file-0.bin')));
    expect(inode(file(second.id, 'uploads/file-3.bin'))).not.toBe(inode(file(first.id, 'uploads/file-3.bin')));

    const third = await (await run('data')).result;
    // keep_last = 2: the first goes, here and on the remote.
    expect(readdirSync(join(remote, 'data')).sort()).toEqual([second.id, third.id]);
    expect((await listSnapshots(join(root, 'backups', 'data'))).map((s) => s.id)).toEqual([second.id, third.id]);

    const dump = await (await run('database')).result;
    expect(readdirSync(join(remote, 'database')).sort()).toEqual([dump.file, `${dump.id}.manifest.json`].sort());
  });

  it('fails the job when the push fails, saying so, and keeps the local backup', async () => {
    const { root, remote, run, queue } = await workerFor('refused', sshd.wrongKnownHostsFile);
    const { job, result } = await run('data');
    await expect(result).rejects.toThrow(
      /^KW_BACKUP_REMOTE_FAILED: copy of backup data-\S+ \(kept locally\) on root@127\.0\.0\.1:\d+\/\S+ failed/,
    );
    // A host key that does not match will not match on a retry either.
    expect((await queue.getJob(job.id!))!.attemptsMade).toBe(1);
    const local = await listSnapshots(join(root, 'backups', 'data'));
    expect(local).toHaveLength(1);
    expect(existsSync(join(root, 'backups', 'data', local[0]!.id, 'tree', '.secret'))).toBe(true);
    expect(existsSync(join(remote, 'data'))).toBe(false);
  });
});
