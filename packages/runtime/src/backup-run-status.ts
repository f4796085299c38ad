import { setTimeout as sleep } from 'node:timers/promises';
import { type KeepwatchConfig, redisMode } from '@keepwatch/config';
import { createMetricsStore } from '@keepwatch/metrics';
import type { Logger } from 'pino';
import { type BackupOutcome, backupStatusFromConfig } from './backup-status-metrics.js';
import { metricsStoreOptionsFromConfig } from './metrics-from-config.js';
import { createRedisClient } from './redis-client.js';

/** A finished backup, or the source of a failed attempt. */
export type BackupRunResult = { success: BackupOutcome } | { failure: string };

/**
 * For a process that runs one backup and ends (`keepwatch backup run`): records the outcome in
 * `keepwatch_backup_*` as a worker records its jobs', so a backup made by hand counts for the
 * alert rules too. A metrics store of its own on `[redis]`, closed (its last flush) before this
 * resolves: within the store's timeout, then at most a second for the client. Does nothing
 * unless `[metrics] enabled`; never rejects (the backup's own outcome is what the command
 * reports): a Redis that is away costs the record, logged once.
 */
export async function recordBackupRunFromConfig(
  config: Readonly<KeepwatchConfig>,
  result: BackupRunResult,
  logger: Logger,
): Promise<void> {
  if (!config.metrics.enabled || !redisMode(config)) return;
  const redis = createRedisClient(config.redis, 'fast-fail', {}, logger);
  try {
    const store = createMetricsStore({
      ...metricsStoreOptionsFromConfig(config, redis, logger),
      processMetrics: false,
    });
    const status = backupStatusFromConfig(config, store);
    if ('success' in result) status.success(result.success);
    else status.failure(result.failure);
    // Logs a warning itself when Redis did not take the flush in time.
    await store.close();
    await Promise.race([redis.quit(), sleep(1000, undefined, { ref: false })]).catch(() => undefined);
  } finally {
    redis.disconnect();
  }
}
