import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Queue, Worker, type Job } from 'bullmq';
import { BackupJobName, QueueName, type BackupJobPayload } from '@keepwatch/jobs';
import { createMysqlDatabase, myAdmin } from '@keepwatch/test-support/mariadb';
import { suffix } from '@keepwatch/test-support/names';
import { createPgDatabase, pgAdmin } from '@keepwatch/test-support/postgres';
import { REDIS_URL } from '@keepwatch/test-support/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBackupProcessor, createSourceLock } from '../src/bullmq.js';
import { databaseSource, listBackups, localDestination, type BackupManifest, type BackupSource } from '../src/index.js';
import { allFiles, tempDir } from './helpers/files.js';
import { testRedis } from './helpers/redis.js';

const fixture = (name: string): string => join(import.meta.dirname, 'fixtures', name);
const packageDir = join(import.meta.dirname, '..');

describe('backup jobs on BullMQ', () => {
  const { redis, prefix, cleanup } = testRedis('backup-job');
  let db: Awaited<ReturnType<typeof createPgDatabase>>;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let queue: Queue<BackupJobPayload, BackupManifest>;
  const workers: Worker[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createPgDatabase('kw_backup_job');
    // ~4 MB of dump: a few seconds through the 1 MB/s slow pg_dump.
    await pgAdmin(
      (c) =>
        c.query(
          `CREATE TABLE big AS SELECT g AS id, md5(g::text) || md5((g + 1)::text) AS v FROM generate_series(1, 60000) g`,
        ),
      db.name,
    );
    queue = new Queue(`${QueueName.backup}-${suffix()}`, { connection: redis, prefix });
  });

  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.close(true);
    for (const child of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await dir?.remove();
  });

  afterAll(async () => {
    await queue?.obliterate({ force: true }).catch(() => {});
    await queue?.close();
    await cleanup();
    await db?.drop();
  });

  const startWorker = (
    sources: Record<string, BackupSource>,
    options: { lockMs?: number; stalledInterval?: number; concurrency?: number } = {},
  ) => {
    const worker = new Worker(
      queue.name,
      createBackupProcessor({
        sources,
        destination: localDestination({ directory: dir.path }),
        lock: createSourceLock({ redis, prefix, ttlMs: options.lockMs ?? 30_000, retryIntervalMs: 100 }),
        lockWaitMs: 20_000,
      }),
      {
        connection: redis,
        prefix,
        lockDuration: options.lockMs ?? 30_000,
        stalledInterval: options.stalledInterval ?? 30_000,
        concurrency: options.concurrency ?? 1,
      },
    );
    workers.push(worker);
    return worker;
  };

  const settled = (job: Job) =>
    vi.waitFor(
      async () => {
        expect(await job.getState(), `job ${job.id}`).toMatch(/^(completed|failed)$/);
        return (await Queue.prototype.getJob.call(queue, job.id!))!;
      },
      { timeout: 25_000, interval: 50 },
    );

  it('kill -9 mid-backup: no manifest, nothing listed; another worker picks the job up and cleans the leftovers', async () => {
    dir = await tempDir('kw-backup-job-kill');
    const job = await queue.add(BackupJobName, { source: 'database', trigger: 'manual' }, { attempts: 3 });
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fixture('backup-worker.ts'),
        JSON.stringify({
          redisUrl: REDIS_URL,
          prefix,
          queue: queue.name,
          url: db.url,
          pgDumpPath: fixture('slow-pg-dump.sh'),
          directory: dir.path,
          lockMs: 1500,
        }),
      ],
      { cwd: packageDir, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);

    // Wait until the temporary file exists and the dump streams into it: the raw bytes the job
    // reports grow (zstd writes a job of 8 MB of dump at a time, so this 4 MB dump's stored bytes
    // would only appear at its end).
    const partial = await vi.waitFor(
      async () => {
        const name = (await allFiles(dir.path)).find((f) => f.endsWith('.partial'));
        expect(name, 'the temporary file').toBeDefined();
        const raw = async () =>
          ((await queue.getJob(job.id!))?.progress as { rawBytes?: number } | undefined)?.rawBytes ?? 0;
        const before = await raw();
        await new Promise((resolve) => setTimeout(resolve, 300));
        const after = await raw();
        expect(before, 'raw bytes reported').toBeGreaterThan(0);
        expect(after, 'raw bytes growing').toBeGreaterThan(before);
        return name!;
      },
      { timeout: 20_000, interval: 20 },
    );
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const destination = localDestination({ directory: dir.path });
    expect(await listBackups(destination)).toEqual([]);
    expect((await allFiles(dir.path)).filter((f) => f.endsWith('.manifest.json'))).toEqual([]);
    expect(await allFiles(dir.path)).toContain(partial);
    expect(await job.getState()).toBe('active');

    // A second worker notices the stalled job once the dead worker's lock runs out.
    const stalled: string[] = [];
    startWorker({ database: databaseSource({ url: db.url }) }, { stalledInterval: 500, lockMs: 5000 }).on(
      'stalled',
      (id) => stalled.push(id),
    );
    const done = await settled(job);
    expect(await done!.getState()).toBe('completed');
    expect(stalled).toEqual([job.id]);
    const manifest = done!.returnvalue;
    expect(manifest.tables).toEqual([{ schema: 'public', name: 'big', rows: 60000 }]);
    expect((await listBackups(destination)).map((m) => m.id)).toEqual([manifest.id]);
    const files = await allFiles(dir.path);
    expect(files.filter((f) => f.endsWith('.partial'))).toEqual([]);
    expect(files).toHaveLength(2);
  });

  it('runs one backup per source at a time, however many workers', async () => {
    dir = await tempDir('kw-backup-job-serial');
    const source = databaseSource({ url: db.url, pgDumpPath: fixture('slow-pg-dump.sh') });
    startWorker({ database: source });
    startWorker({ database: source });
    const jobs = await Promise.all([
      queue.add(BackupJobName, { source: 'database', trigger: 'schedule' }),
      queue.add(BackupJobName, { source: 'database', trigger: 'api', requestedBy: 'admin' }),
    ]);
    const [a, b] = (await Promise.all(jobs.map(settled)))
      .map((j) => j!.returnvalue)
      .sort((x, y) => x.startedAt.localeCompare(y.startedAt));
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    // Each backup takes seconds through the slow pg_dump; without the lock they would overlap.
    expect(Date.parse(b!.startedAt)).toBeGreaterThanOrEqual(Date.parse(a!.finishedAt));
    expect(await listBackups(localDestination({ directory: dir.path }))).toHaveLength(2);
  });

  it('fails for good, without retries or files, when retrying cannot help', async () => {
    dir = await tempDir('kw-backup-job-fail');
    const my = await createMysqlDatabase('kw_backup_job');
    const user = `kw_job_${suffix()}`;
    await myAdmin((c) => c.query(`CREATE USER ?@'%' IDENTIFIED BY 'right-pw'`, [user]));
    try {
      startWorker({
        wrongpw: databaseSource({ name: 'wrongpw', url: `mysql://${user}:wrong-pw-123@127.0.0.1:3306/${my.name}` }),
        old: databaseSource({ name: 'old', url: db.url, pgDumpPath: fixture('old-pg-dump.sh') }),
        missing: databaseSource({ name: 'missing', url: db.url, pgDumpPath: '/nonexistent/pg_dump' }),
      });
      const options = { attempts: 3, backoff: { type: 'fixed', delay: 100 } };
      const cases = [
        [
          'wrongpw',
          /^KW_BACKUP_AUTH_FAILED: mysql:\/\/kw_job_\w+@127\.0\.0\.1:3306\/\w+: authentication failed \(Access denied/,
        ],
        ['old', /^KW_BACKUP_TOOL_TOO_OLD: pg_dump 11\.22 is older than the server/],
        [
          'missing',
          /^KW_BACKUP_TOOL_MISSING: pg_dump not found or not executable at "\/nonexistent\/pg_dump": .*pgDumpPath/,
        ],
        ['nosuchsource', /^KW_BACKUP_SOURCE_UNKNOWN: backup source "nosuchsource" is not configured/],
      ] as const;
      for (const [source, reason] of cases) {
        const job = await queue.add(BackupJobName, { source, trigger: 'manual' }, options);
        const done = await settled(job);
        expect(await done!.getState()).toBe('failed');
        expect(done!.failedReason).toMatch(reason);
        expect(done!.failedReason).not.toContain('wrong-pw-123');
        expect(done!.attemptsMade).toBe(1);
      }
      expect(await allFiles(dir.path)).toEqual([]);
    } finally {
      await myAdmin((c) => c.query(`DROP USER IF EXISTS ?@'%'`, [user])).catch(() => {});
      await my.drop();
    }
  });

  it('retries with backoff when the server is unreachable, and reports why', async () => {
    dir = await tempDir('kw-backup-job-retry');
    startWorker({
      database: databaseSource({ url: 'postgres://postgres@127.0.0.1:1/nowhere', connectTimeoutMs: 500 }),
    });
    const job = await queue.add(
      BackupJobName,
      { source: 'database', trigger: 'manual' },
      { attempts: 2, backoff: { type: 'fixed', delay: 200 } },
    );
    const done = await settled(job);
    expect(await done!.getState()).toBe('failed');
    expect(done!.attemptsMade).toBe(2);
    expect(done!.failedReason).toMatch(
      /^KW_BACKUP_CONNECTION_FAILED: postgres:\/\/postgres@127\.0\.0\.1:1\/nowhere: cannot connect/,
    );
    expect(await allFiles(dir.path)).toEqual([]);
  });
});
