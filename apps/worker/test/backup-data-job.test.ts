import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSnapshots, restoreSnapshot } from '@keepwatch/backup';
import { BackupJobName, QueueName, backupJobDefaults } from '@keepwatch/jobs';
import { createMetricsStore } from '@keepwatch/metrics';
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWorker, type RunningWorker } from '../src/start-worker.js';
import { makeDataDir, selected } from '@keepwatch/test-support/data-dir';
import { silentLogger, testQueue, testWorkerConfig, type TestQueue } from './helpers/worker-harness.js';

const prefix = `kw-test-worker-data-${randomUUID()}:`;
let dir: string;
let worker: RunningWorker;
let connection: Redis;
let queue: Queue;
let events: QueueEvents;
let producer: TestQueue;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kw-worker-data-'));
  makeDataDir(join(dir, 'data'));
  const loaded = await testWorkerConfig(dir, prefix, {
    KEEPWATCH_METRICS_ENABLED: 'true',
    KEEPWATCH_BACKUP_KEEP_LAST: '2',
  });
  worker = await startWorker({ loaded, logger: silentLogger() });
  producer = await testQueue(QueueName.backup, prefix);
  ({ connection, queue, events } = producer);
}, 30_000);

afterAll(async () => {
  await worker?.close();
  await producer?.close();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

interface DataResult {
  source: string;
  id: string;
  startedAt: string;
  finishedAt: string;
  storedBytes: number;
  bytesCopied: number;
  bytesTotal: number;
  filesCopied: number;
  retention: { removed: string[] };
}

async function backUpData(): Promise<DataResult> {
  const job = await queue.add(BackupJobName, { source: 'data', trigger: 'manual' }, backupJobDefaults);
  return (await job.waitUntilFinished(events, 30_000)) as DataResult;
}

describe('data backup jobs in the worker', () => {
  it('snapshots [data] dir incrementally, feeds the status metrics and applies keep_last', async () => {
    const first = await backUpData();
    expect(first).toMatchObject({ source: 'data', retention: { removed: [] } });
    expect(first.id).toMatch(/^data-/);
    expect(first.filesCopied).toBe(21); // .secret and 20 media files; the symlink is a link
    expect(first.storedBytes).toBe(first.bytesTotal);
    expect(first.storedBytes).toBeGreaterThan(0);

    const restored = join(dir, 'restored');
    await restoreSnapshot({ snapshotDir: join(dir, 'backups', 'data', first.id), targetDir: restored });
    expect(selected(restored)).toEqual(selected(join(dir, 'data')));

    // The status metrics read what the job returned (last success, size = the snapshot's bytes).
    // As a replica that declared nothing reads them.
    const reader = createMetricsStore({ redis: connection, keyPrefix: prefix, processMetrics: false });
    const value = async (name: string) =>
      (await reader.read()).find((f) => f.name === name)?.values.find((v) => v.labels.source === 'data')?.value;
    // The status is recorded on the worker's `completed` event, a moment after the job's result.
    const recorded = { timeout: 5000, interval: 50 };
    await vi.waitFor(
      async () => expect(await value('keepwatch_backup_last_size_bytes')).toBe(first.storedBytes),
      recorded,
    );
    expect(await value('keepwatch_backup_last_success_timestamp_seconds')).toBe(Date.parse(first.finishedAt) / 1000);

    // Nothing changed: nothing copied, yet the snapshot is as big as the data it holds, and so
    // is the size gauge (it read 0 after every unchanged snapshot).
    const second = await backUpData();
    expect(second).toMatchObject({ filesCopied: 0, bytesCopied: 0, storedBytes: first.storedBytes });
    const secondAt = Date.parse(second.finishedAt) / 1000;
    await vi.waitFor(
      async () => expect(await value('keepwatch_backup_last_success_timestamp_seconds')).toBe(secondAt),
      recorded,
    );
    expect(await value('keepwatch_backup_last_size_bytes')).toBe(first.storedBytes);
    const before = (await stat(join(dir, 'data', 'media', 'avatars', 'file-2.bin'))).size;
    await writeFile(join(dir, 'data', 'media', 'avatars', 'file-2.bin'), 'changed');
    const third = await backUpData();
    expect(third).toMatchObject({
      filesCopied: 1,
      bytesCopied: 7,
      storedBytes: first.storedBytes - before + 7,
      retention: { removed: [first.id] },
    });
    expect((await listSnapshots(join(dir, 'backups', 'data'))).map((s) => s.id)).toEqual([second.id, third.id]);
    expect(existsSync(join(dir, 'backups', 'data', first.id))).toBe(false);
    // Each kind keeps to its own folder: nothing of the snapshots shows up as a database backup.
    expect(existsSync(join(dir, 'backups', 'database'))).toBe(false);
    await reader.close();
  }, 60_000);
});
