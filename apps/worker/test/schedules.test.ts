import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupJobName, QueueName } from '@keepwatch/jobs';
import type { Job } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../src/start-worker.js';
import { PG_URL } from '@keepwatch/test-support/postgres';
import { silentLogger, testQueue, testWorkerConfig } from './helpers/worker-harness.js';

const prefix = `kw-test-schedules-${randomUUID()}:`;
const { queue, close } = await testQueue(QueueName.backup, prefix);
afterAll(close);

async function config(schedule: string | undefined) {
  const dir = await mkdtemp(join(tmpdir(), 'kw-worker-schedules-'));
  return testWorkerConfig(dir, prefix, {
    KEEPWATCH_DATABASE_URL: `${PG_URL}/postgres`,
    ...(schedule ? { KEEPWATCH_BACKUP_SCHEDULE: schedule } : {}),
  });
}

describe('backup schedules', () => {
  it('five workers with a per-second schedule run exactly one backup per tick', async () => {
    const loaded = await config('* * * * * *');
    const all: Job[] = [];
    const workers: RunningWorker[] = [];
    // A stand-in for the backup itself: what is under test is how often it is started.
    const handlers = { [BackupJobName]: async (job: Job) => void all.push(job) };
    for (let i = 0; i < 5; i++) {
      workers.push(await startWorker({ loaded, logger: silentLogger(), handlers }));
    }
    await new Promise((resolve) => setTimeout(resolve, 4500));
    await Promise.all(workers.map((w) => w.close()));

    const schedulers = await queue.getJobSchedulers();
    // One scheduler per source: [database] url is set, and the data directory always is.
    expect(schedulers.map((s) => s.key).sort()).toEqual(['backup:data', 'backup:database']);
    expect(all.some((job) => (job.data as { source: string }).source === 'data')).toBe(true);
    const runs = all.filter((job) => (job.data as { source: string }).source === 'database');
    // A scheduled job's id ends in the tick it was made for (ms since the epoch).
    const ticks = runs.map((job) => Number(/:(\d+)$/.exec(job.id ?? '')?.[1]));
    expect(ticks.every((tick) => Number.isFinite(tick) && tick % 1000 === 0)).toBe(true);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(new Set(runs.map((job) => job.id)).size).toBe(runs.length);
    // Every tick ran once: as many distinct ticks as runs, one second apart, none skipped.
    const sorted = [...ticks].sort((a, b) => a - b);
    expect(new Set(ticks).size).toBe(runs.length);
    expect(sorted.slice(1).map((tick, i) => tick - sorted[i]!)).toEqual(Array(sorted.length - 1).fill(1000));
    expect(runs.every((job) => (job.data as { source: string; trigger: string }).trigger === 'schedule')).toBe(true);
  });

  it('a schedule taken out of the config is removed from Redis', async () => {
    const worker = await startWorker({ loaded: await config(undefined), logger: silentLogger() });
    await worker.close();
    expect(await queue.getJobSchedulers()).toEqual([]);
  });
});
