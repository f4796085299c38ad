import { createBackupProcessor } from '@keepwatch/backup';
import { BackupJobName } from '@keepwatch/jobs';
import {
  backupDestinationFromConfig,
  backupLockFromConfig,
  backupOptionsFromConfig,
  backupSourcesFromConfig,
} from '@keepwatch/runtime';
import { UnrecoverableError } from 'bullmq';
import type { JobHandlers } from '../job-router.js';
import type { WorkerContext } from '../worker-context.js';

/**
 * Runs `backup` jobs: one backup of the named source under the per-source Redis lock, shared
 * with the other workers and `keepwatch backup run`. Retries and their backoff are the job's
 * own (`backupJobDefaults`); failures that a retry cannot fix fail the job for good.
 */
export function backupHandlers({ loaded, logger, connection, resources }: WorkerContext): JobHandlers {
  const { config } = loaded;
  const sources = backupSourcesFromConfig(config);
  const log = logger.child({ component: 'backup' });
  const processor = createBackupProcessor({
    sources: { ...sources },
    destination: backupDestinationFromConfig(config, log),
    // The fail-fast client: with BullMQ's connection (no retry limit) a lock renewal would wait
    // out a Redis outage instead of failing, and the lease could lapse under a running backup.
    lock: backupLockFromConfig(config, resources.redis ?? connection),
    backup: backupOptionsFromConfig(config),
    lockWaitMs: config.backup.lock_wait,
    logger: log,
  });
  return {
    [BackupJobName]: async (job) => {
      const source: unknown = (job.data as { source?: unknown } | undefined)?.source;
      if (source === 'database' && !sources.database) {
        throw new UnrecoverableError(
          'KW_BACKUP_SOURCE_UNKNOWN: backup source "database" is not configured: set [database] url (KEEPWATCH_DATABASE_URL) for the worker',
        );
      }
      return processor(job);
    },
  };
}
