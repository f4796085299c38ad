import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@keepwatch/config';
import { BackupJobName, QueueName, bullmqPrefix } from '@keepwatch/jobs';
import { backupStatusCollector, createLogger } from '@keepwatch/runtime';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startWorker } from '../src/start-worker.js';

const REDIS_URL = 'redis://127.0.0.1:6379/0';
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.allSettled(cleanups.map((fn) => fn()));
});

describe('backup status metrics', () => {
  it('records the last success of a source and counts its failed attempts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kw-worker-status-'));
    const prefix = `kw-test-status-${randomUUID()}:`;
    const loaded = await loadConfig({
      env: {
        KEEPWATCH_REDIS_URL: REDIS_URL,
        KEEPWATCH_REDIS_PREFIX: prefix,
        KEEPWATCH_METRICS_ENABLED: 'true',
        KEEPWATCH_DATA_DIR: join(dir, 'data'),
        KEEPWATCH_BACKUP_DESTINATION: join(dir, 'backups'),
      },
    });
    let calls = 0;
    // The thing under test is the recording of outcomes; the job itself stands in for a backup
    // (the real backup job has its own tests).
    const worker = await startWorker({
      loaded,
      logger: createLogger({ name: 'test', level: 'silent' }),
      handlers: {
        [BackupJobName]: async (job) => {
          calls++;
          if ((job.data as { source: string }).source === 'broken') throw new Error('pg_dump exited with code 1');
          return { source: 'database', startedAt: '2026-11-25T03:00:00.000Z', finishedAt: '2026-11-25T03:00:42.500Z', storedBytes: 12345 };
        },
      },
    });
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QueueName.backup, { connection, prefix: bullmqPrefix(prefix) });
    const events = new QueueEvents(QueueName.backup, { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix: bullmqPrefix(prefix) });
    await events.waitUntilReady();
    cleanups.push(async () => {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await events.close();
      connection.disconnect();
    });

    await (await queue.add(BackupJobName, { source: 'database', trigger: 'manual' })).waitUntilFinished(events, 10_000);
    const broken = await queue.add(BackupJobName, { source: 'broken', trigger: 'manual' }, { attempts: 2 });
    await broken.waitUntilFinished(events, 10_000).catch(() => undefined);
    expect(calls).toBe(3);

    const collect = backupStatusCollector(connection, prefix);
    const deadline = Date.now() + 5000;
    let families = await collect('pretix');
    while (Date.now() < deadline && (families.find((f) => f.name === 'keepwatch_backup_failures_total')?.values.find((v) => v.labels.source === 'broken')?.value ?? 0) < 2) {
      await new Promise((r) => setTimeout(r, 50));
      families = await collect('pretix');
    }
    const value = (name: string, source: string) =>
      families.find((f) => f.name === name)?.values.find((v) => v.labels.source === source)?.value;
    expect(value('keepwatch_backup_last_success_timestamp_seconds', 'database')).toBe(Date.parse('2026-11-25T03:00:42.500Z') / 1000);
    expect(value('keepwatch_backup_last_size_bytes', 'database')).toBe(12345);
    expect(value('keepwatch_backup_last_duration_seconds', 'database')).toBe(42.5);
    expect(value('keepwatch_backup_failures_total', 'broken')).toBe(2);
    expect(value('keepwatch_backup_failures_total', 'database')).toBe(0);
    expect(value('keepwatch_backup_last_success_timestamp_seconds', 'broken')).toBeUndefined();
  });
});
