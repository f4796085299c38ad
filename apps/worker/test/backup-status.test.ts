import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupJobName, QueueName } from '@keepwatch/jobs';
import { createMetricsStore } from '@keepwatch/metrics';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startWorker } from '../src/start-worker.js';
import { silentLogger, testQueue, testWorkerConfig } from './helpers/worker-harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.allSettled(cleanups.map((fn) => fn()));
});

describe('backup status metrics', () => {
  it('records the last success of a configured source and counts its failed attempts, never a made-up source', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kw-worker-status-'));
    const prefix = `kw-test-status-${randomUUID()}:`;
    // `database` and `data` are configured; the jobs never reach the database (the handler stands in).
    const loaded = await testWorkerConfig(dir, prefix, {
      KEEPWATCH_METRICS_ENABLED: 'true',
      KEEPWATCH_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      KEEPWATCH_METRICS_MODELS_REFRESH: '0',
    });
    let calls = 0;
    // The thing under test is the recording of outcomes; the job itself stands in for a backup
    // (the real backup job has its own tests).
    const worker = await startWorker({
      loaded,
      logger: silentLogger(),
      handlers: {
        [BackupJobName]: async (job) => {
          calls++;
          if ((job.data as { source: string }).source !== 'database') throw new Error('pg_dump exited with code 1');
          return {
            source: 'database',
            startedAt: '2026-11-25T03:00:00.000Z',
            finishedAt: '2026-11-25T03:00:42.500Z',
            storedBytes: 12345,
          };
        },
      },
    });
    const { connection, queue, events, close } = await testQueue(QueueName.backup, prefix);
    cleanups.push(async () => {
      await worker.close();
      await close();
    });

    await (await queue.add(BackupJobName, { source: 'database', trigger: 'manual' })).waitUntilFinished(events, 10_000);
    // A producer that knows other sources than this worker (or a hand-made job): it fails, and
    // keepwatch_backup_failures_total gets no series for it, however many such names come. Run
    // before the next one, whose failures the wait below counts, so its own would be in by then.
    const bogus = await queue.add(BackupJobName, { source: 'bogus', trigger: 'manual' });
    await bogus.waitUntilFinished(events, 10_000).catch(() => undefined);
    const broken = await queue.add(BackupJobName, { source: 'data', trigger: 'manual' }, { attempts: 2 });
    await broken.waitUntilFinished(events, 10_000).catch(() => undefined);
    expect(calls).toBe(4);

    // As a replica that declared nothing reads them.
    const reader = createMetricsStore({ redis: connection, keyPrefix: prefix, processMetrics: false });
    cleanups.push(() => reader.close());
    // The failed events reach Redis after the jobs settle: read until both failures are counted.
    const families = await vi.waitFor(
      async () => {
        const read = await reader.read();
        const failures = read
          .find((f) => f.name === 'keepwatch_backup_failures_total')
          ?.values.find((v) => v.labels.source === 'data')?.value;
        expect(failures, 'failures of source data').toBe(2);
        return read;
      },
      { timeout: 5000, interval: 50 },
    );
    const value = (name: string, source: string) =>
      families.find((f) => f.name === name)?.values.find((v) => v.labels.source === source)?.value;
    expect(value('keepwatch_backup_last_success_timestamp_seconds', 'database')).toBe(
      Date.parse('2026-11-25T03:00:42.500Z') / 1000,
    );
    expect(value('keepwatch_backup_last_size_bytes', 'database')).toBe(12345);
    expect(value('keepwatch_backup_last_duration_seconds', 'database')).toBe(42.5);
    expect(value('keepwatch_backup_failures_total', 'data')).toBe(2);
    expect(value('keepwatch_backup_failures_total', 'database')).toBe(0);
    // A configured source without a success yet is there at 0: the alert on a missing backup sees it.
    expect(value('keepwatch_backup_last_success_timestamp_seconds', 'data')).toBe(0);
    expect(value('keepwatch_backup_last_size_bytes', 'data')).toBeUndefined();
    expect(families.flatMap((f) => f.values.map((v) => v.labels.source)).filter((s) => s === 'bogus')).toEqual([]);
    const backup = families.filter((f) => f.name.startsWith('keepwatch_backup_'));
    expect(backup.map((f) => f.name).sort()).toEqual([
      'keepwatch_backup_failures_total',
      'keepwatch_backup_last_duration_seconds',
      'keepwatch_backup_last_size_bytes',
      'keepwatch_backup_last_success_timestamp_seconds',
    ]);
    expect(new Set(backup.flatMap((f) => f.values.map((v) => v.labels.source)))).toEqual(new Set(['database', 'data']));
  });
});
