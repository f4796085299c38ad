import { metricsKeys, type MetricFamily, type ScrapeCollector } from '@keepwatch/metrics';
import type { Redis } from 'ioredis';

// Inside the metrics store's hash tag, so it shares the store's Cluster slot and ACL pattern.
const key = (prefix: string): string => metricsKeys(prefix).family('backups');

/** What a finished backup reports; a subset of a manifest. */
export interface BackupOutcome {
  source: string;
  startedAt: string;
  finishedAt: string;
  storedBytes: number;
}

/**
 * Records backup outcomes of every worker in one Redis hash, so that "no successful backup for
 * 26 hours" is one alert rule on `keepwatch_backup_last_success_timestamp_seconds`, whichever
 * worker ran the backup.
 *
 * Only the configured `sources` are recorded: every field is a series on every scrape, for good,
 * so a job naming a made-up source (a stale producer, a hand-made job) must not add one. Returns
 * whether the outcome was recorded.
 */
export function createBackupStatusRecorder(redis: Redis, prefix: string, sources: readonly string[]) {
  const known = new Set(sources);
  return {
    async success(outcome: BackupOutcome): Promise<boolean> {
      if (!known.has(outcome.source)) return false;
      const finished = Date.parse(outcome.finishedAt);
      const seconds = (finished - Date.parse(outcome.startedAt)) / 1000;
      await redis.hset(key(prefix), {
        [`${outcome.source}:last_success`]: String(finished / 1000),
        [`${outcome.source}:last_size`]: String(outcome.storedBytes),
        [`${outcome.source}:last_duration`]: String(seconds),
      });
      return true;
    },
    async failure(source: string): Promise<boolean> {
      if (!known.has(source)) return false;
      await redis.hincrby(key(prefix), `${source}:failures`, 1);
      return true;
    },
  };
}

export type BackupStatusRecorder = ReturnType<typeof createBackupStatusRecorder>;

const families: [field: string, name: string, type: 'gauge' | 'counter', help: string][] = [
  [
    'last_success',
    'keepwatch_backup_last_success_timestamp_seconds',
    'gauge',
    'When the last successful backup of the source finished (Unix time).',
  ],
  [
    'last_size',
    'keepwatch_backup_last_size_bytes',
    'gauge',
    'Stored size of the last successful backup of the source.',
  ],
  [
    'last_duration',
    'keepwatch_backup_last_duration_seconds',
    'gauge',
    'How long the last successful backup of the source took.',
  ],
  ['failures', 'keepwatch_backup_failures_total', 'counter', 'Failed backup attempts of the source.'],
];

/** The scrape-time families of the backup status, one series per source. */
export function backupStatusCollector(redis: Redis, prefix: string): ScrapeCollector {
  return async () => {
    const fields = await redis.hgetall(key(prefix));
    const sources = [...new Set(Object.keys(fields).map((f) => f.slice(0, f.lastIndexOf(':'))))].sort();
    return families.map(
      ([field, name, type, help]): MetricFamily => ({
        name,
        help,
        type,
        values: sources
          .filter((source) => fields[`${source}:${field}`] !== undefined || field === 'failures')
          .map((source) => ({ value: Number(fields[`${source}:${field}`] ?? 0), labels: { source } })),
      }),
    );
  };
}
