import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listBackups, localDestination } from '@keepwatch/backup';
import { BackupJobName, QueueName, backupJobDefaults } from '@keepwatch/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../src/start-worker.js';
import { PG_URL, pgAdmin } from '@keepwatch/test-support/postgres';
import { silentLogger, testQueue, testWorkerConfig } from './helpers/worker-harness.js';

const suffix = randomBytes(4).toString('hex');
const database = `kw_worker_backup_${suffix}`;
const cleanups: (() => Promise<unknown>)[] = [];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-worker-backup-'));
  await pgAdmin((c) => c.query(`CREATE DATABASE ${database}`));
  await pgAdmin(async (c) => {
    await c.query('CREATE TABLE ticket (id int PRIMARY KEY, holder text NOT NULL)');
    await c.query(`INSERT INTO ticket SELECT g, 'holder ' || g FROM generate_series(1, 200) g`);
  }, database);
}, 30_000);

afterAll(async () => {
  // Workers and queues first, in order: a queue obliterated under a running worker fails its job.
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}, 30_000);

/** A worker of its own (own Redis prefix, own backup folder) and a producer on its backup queue. */
async function workerFor(name: string, databaseUrl: string | undefined) {
  const prefix = `kw-test-worker-backup-${suffix}-${name}:`;
  const loaded = await testWorkerConfig(
    join(dir, name),
    prefix,
    databaseUrl ? { KEEPWATCH_DATABASE_URL: databaseUrl } : {},
  );
  const { queue, events, close } = await testQueue(QueueName.backup, prefix);
  cleanups.push(close);
  const worker: RunningWorker = await startWorker({ loaded, logger: silentLogger() });
  cleanups.push(() => worker.close());
  return { queue, events, destination: join(dir, name, 'backups') };
}

describe('backup jobs in the worker', () => {
  it('runs a backup job to a manifest that listBackups then finds', async () => {
    const { queue, events, destination } = await workerFor('ok', `${PG_URL}/${database}`);
    const job = await queue.add(BackupJobName, { source: 'database', trigger: 'manual' }, backupJobDefaults);
    const manifest = (await job.waitUntilFinished(events, 60_000)) as { id: string; kind: string; tables: unknown[] };
    expect(manifest).toMatchObject({ source: 'database', kind: 'postgres' });
    expect(manifest.tables).toContainEqual({ schema: 'public', name: 'ticket', rows: 200 });
    const listed = await listBackups(localDestination({ directory: destination }));
    expect(listed.map((m) => m.id)).toEqual([manifest.id]);
  }, 70_000);

  it('fails a job for a wrong MariaDB password once, naming the problem and not the password', async () => {
    const password = `worker-wrong-pw-${suffix}`;
    const { queue, events } = await workerFor('auth', `mysql://root:${password}@127.0.0.1:3306/mysql`);
    const job = await queue.add(BackupJobName, { source: 'database', trigger: 'manual' }, backupJobDefaults);
    await expect(job.waitUntilFinished(events, 60_000)).rejects.toThrow(
      /^KW_BACKUP_AUTH_FAILED: .*authentication failed/,
    );
    const failed = (await queue.getJob(job.id!))!;
    expect(failed.attemptsMade).toBe(1);
    expect(await failed.getState()).toBe('failed');
    expect(failed.failedReason).not.toContain(password);
    expect(JSON.stringify(failed.stacktrace)).not.toContain(password);
  }, 70_000);

  it('fails a job for good when [database] url is unset, naming the setting', async () => {
    const { queue, events } = await workerFor('unset', undefined);
    const job = await queue.add(BackupJobName, { source: 'database', trigger: 'schedule' }, backupJobDefaults);
    await expect(job.waitUntilFinished(events, 20_000)).rejects.toThrow(
      /^KW_BACKUP_SOURCE_UNKNOWN: backup source "database" is not configured \(known: data\): set \[database\] url/,
    );
    const failed = (await queue.getJob(job.id!))!;
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toMatch(/^KW_BACKUP_SOURCE_UNKNOWN: /);
  }, 30_000);
});
