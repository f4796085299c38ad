import { randomUUID } from 'node:crypto';
import { type MetricFamily, type MetricsStore, createMetricsStore } from '@keepwatch/metrics';
import { removeKeys } from '@keepwatch/test-support/redis';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { carryOverLegacyBackupStatus, createBackupStatusRecorder } from '../src/index.js';

const prefix = `kw-test-backup-status-${randomUUID()}:`;
const redis = new Redis('redis://127.0.0.1:6379/0', { maxRetriesPerRequest: 1 });
const stores: MetricsStore[] = [];

function store(): MetricsStore {
  const created = createMetricsStore({ redis, keyPrefix: prefix, flushIntervalMs: 3_600_000, processMetrics: false });
  stores.push(created);
  return created;
}

/** What a replica that declared nothing shows. */
async function scrape(): Promise<MetricFamily[]> {
  const reader = store();
  return reader.read();
}

function value(families: MetricFamily[], name: string, source: string): number | undefined {
  return families.find((f) => f.name === name)?.values.find((v) => v.labels.source === source)?.value;
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await removeKeys(redis, `*${prefix}*`);
});

afterAll(() => redis.disconnect());

describe('backup status families', () => {
  it('show every configured source from 0 (what the alert rules need), then what a process recorded, after it is gone', async () => {
    const worker = store();
    const status = createBackupStatusRecorder(worker, ['database', 'data']);
    await worker.flush();
    let families = await scrape();
    for (const source of ['database', 'data']) {
      expect(value(families, 'keepwatch_backup_last_success_timestamp_seconds', source)).toBe(0);
      expect(value(families, 'keepwatch_backup_failures_total', source)).toBe(0);
      expect(value(families, 'keepwatch_backup_last_size_bytes', source)).toBeUndefined();
    }

    expect(
      status.success({
        source: 'database',
        startedAt: '2026-11-25T03:00:00.000Z',
        finishedAt: '2026-11-25T03:00:42.500Z',
        storedBytes: 12345,
      }),
    ).toBe(true);
    expect(status.failure('data')).toBe(true);
    expect(status.failure('bogus')).toBe(false);
    await worker.close();

    // A process starting later sets its 0 again: the recorded time stays.
    const next = store();
    createBackupStatusRecorder(next, ['database', 'data']);
    await next.flush();
    families = await scrape();
    expect(value(families, 'keepwatch_backup_last_success_timestamp_seconds', 'database')).toBe(
      Date.parse('2026-11-25T03:00:42.500Z') / 1000,
    );
    expect(value(families, 'keepwatch_backup_last_size_bytes', 'database')).toBe(12345);
    expect(value(families, 'keepwatch_backup_last_duration_seconds', 'database')).toBe(42.5);
    expect(value(families, 'keepwatch_backup_failures_total', 'data')).toBe(1);
    expect(value(families, 'keepwatch_backup_last_success_timestamp_seconds', 'data')).toBe(0);
    expect(families.flatMap((f) => f.values.map((v) => v.labels.source)).filter((s) => s === 'bogus')).toEqual([]);
  });

  it('carries the last success over from the hash of the version before, never moving a newer one back', async () => {
    await redis.hset(`{${prefix}metrics}:backups`, {
      'database:last_success': '1764039642.5',
      'database:failures': '3',
      'data:failures': '1',
    });
    const s = store();
    createBackupStatusRecorder(s, ['database', 'data']);
    expect(await carryOverLegacyBackupStatus(redis, prefix, s, ['database', 'data'])).toBe(1);
    await s.flush();
    let families = await scrape();
    expect(value(families, 'keepwatch_backup_last_success_timestamp_seconds', 'database')).toBe(1764039642.5);
    expect(value(families, 'keepwatch_backup_last_success_timestamp_seconds', 'data')).toBe(0);
    // Failures start again from 0: a counter reset, which increase() handles.
    expect(value(families, 'keepwatch_backup_failures_total', 'database')).toBe(0);

    s.gauge({
      name: 'keepwatch_backup_last_success_timestamp_seconds',
      help: 'When the last successful backup of the source finished (Unix time); 0 until its first one.',
      labelNames: ['source'],
      aggregate: 'max',
      perProcess: false,
    }).set({ source: 'database' }, 1764100000);
    await s.flush();
    await carryOverLegacyBackupStatus(redis, prefix, s, ['database', 'data']);
    await s.flush();
    families = await scrape();
    expect(value(families, 'keepwatch_backup_last_success_timestamp_seconds', 'database')).toBe(1764100000);
  });
});
