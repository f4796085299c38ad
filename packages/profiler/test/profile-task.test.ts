import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProfiler, listProfiles, profileTask, topFunctions, type Profiler } from '../src/index.js';
import { burnCpuWithFibonacci } from './helpers/cpu-work.js';
import { profileFilesIn } from './helpers/profile-dir.js';
import { makeTempDir } from './helpers/temp-dir.js';

let dir: Awaited<ReturnType<typeof makeTempDir>>;
let profiler: Profiler | undefined;

beforeEach(async () => {
  dir = await makeTempDir('task');
});

afterEach(async () => {
  await profiler?.close();
  profiler = undefined;
  await dir.remove();
});

describe('profileTask', () => {
  it('returns the result and passes the error on, recording ok and failed', async () => {
    profiler = createProfiler({ directory: dir.profiles, rate: 0, taskRate: 1, maxOverhead: 1 });
    await expect(profileTask(profiler, 'sum', () => 40 + 2)).resolves.toBe(42);
    await profiler.idle();
    const failure = new Error('disk full');
    await expect(
      profileTask(profiler, 'prune', async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    await profiler.idle();
    const entries = await listProfiles(dir.profiles);
    expect(entries.map((e) => [e.kind, e.name, e.status, e.method])).toEqual([
      ['task', 'prune', 'failed', undefined],
      ['task', 'sum', 'ok', undefined],
    ]);
  });

  it('runs jobs unprofiled at task rate 0, whatever the request rate', async () => {
    profiler = createProfiler({ directory: dir.profiles, rate: 1, taskRate: 0 });
    for (let i = 0; i < 20; i++) await profileTask(profiler, 'noop', () => i);
    await profiler.idle();
    expect(profiler.stats()).toMatchObject({ sampled: 0, sessionsOpened: 0 });
    expect(await profileFilesIn(dir.profiles)).toEqual([]);
  });
});

describe('profileTask in a BullMQ worker', () => {
  const prefix = `kw-test-profiler-${randomUUID()}`;
  const queueName = 'profiled';
  let connection: Redis;
  let queue: Queue;
  let events: QueueEvents;
  let worker: Worker | undefined;

  beforeEach(async () => {
    connection = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null, connectTimeout: 5000 });
    queue = new Queue(queueName, { connection, prefix });
    events = new QueueEvents(queueName, { connection: { host: '127.0.0.1', port: 6379 }, prefix });
    await events.waitUntilReady();
  });

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
    // Anything BullMQ left under the prefix (event streams, meta) goes too.
    const keys = await connection.keys(`${prefix}:*`);
    if (keys.length > 0) await connection.del(...keys);
    connection.disconnect();
  });

  it('profiles each job at the task rate, named after the job', async () => {
    profiler = createProfiler({
      directory: dir.profiles,
      rate: 0,
      taskRate: 1,
      samplingIntervalUs: 100,
      maxOverhead: 1,
    });
    const p = profiler;
    worker = new Worker(queueName, (job) => profileTask(p, job.name, () => burnCpuWithFibonacci(Number(job.data.n))), {
      connection,
      prefix,
      concurrency: 1,
    });
    const jobs = await Promise.all([
      queue.add('backup-database', { n: 29 }),
      queue.add('backup-database', { n: 29 }),
      queue.add('maintenance', { n: 10 }),
    ]);
    const results = await Promise.all(jobs.map((job) => job.waitUntilFinished(events, 15_000)));
    expect(results).toEqual([514229, 514229, 55]);
    await profiler.idle();

    const entries = await listProfiles(dir.profiles, { kind: 'task' });
    expect(entries.map((e) => [e.name, e.status]).sort()).toEqual([
      ['backup-database', 'ok'],
      ['backup-database', 'ok'],
      ['maintenance', 'ok'],
    ]);
    const report = await topFunctions(await listProfiles(dir.profiles, { name: 'backup-database' }));
    expect(report.profiles).toBe(2);
    expect(report.functions[0]!.functionName).toBe('burnCpuWithFibonacci');
    // The profiler's own start and stop are cut out: the inspector's native dispatch is not the job's work.
    expect(report.functions.map((f) => f.functionName)).not.toContain('dispatch');
  });
});
