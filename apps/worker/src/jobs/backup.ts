import { BackupError, createBackupProcessor } from '@keepwatch/backup';
import { isKeepwatchError } from '@keepwatch/errors';
import { BackupJobName } from '@keepwatch/jobs';
import {
  afterBackupFromConfig,
  backupDestinationFromConfig,
  backupLockFromConfig,
  backupOptionsFromConfig,
  backupRemoteFromConfig,
  backupSourcesFromConfig,
  runDataBackup,
} from '@keepwatch/runtime';
import { UnrecoverableError, type Job } from 'bullmq';
import type { JobHandlers } from '../job-router.js';
import type { WorkerContext } from '../worker-context.js';

/**
 * Runs `backup` jobs: one backup of the named source under the per-source Redis lock, shared
 * with the other workers and `keepwatch backup run`, then the remote copy and retention
 * (`afterBackupFromConfig`) under the same lock. Retries and their backoff are the job's own
 * (`backupJobDefaults`); failures that a retry cannot fix fail the job for good.
 */
export function backupHandlers({ loaded, logger, connection, resources }: WorkerContext): JobHandlers {
  const { config } = loaded;
  const sources = backupSourcesFromConfig(config);
  const log = logger.child({ component: 'backup' });
  const destination = backupDestinationFromConfig(config, log);
  const remote = backupRemoteFromConfig(config, log);
  // The fail-fast client: with BullMQ's connection (no retry limit) a lock renewal would wait
  // out a Redis outage instead of failing, and the lease could lapse under a running backup.
  const lock = backupLockFromConfig(config, resources.redis ?? connection);
  const processor = createBackupProcessor({
    sources: sources.database ? { database: sources.database } : {},
    destination,
    lock,
    backup: backupOptionsFromConfig(config),
    lockWaitMs: config.backup.lock_wait,
    logger: log,
  });
  const after = (source: string, id: string) => afterBackupFromConfig(config, source, id, { remote, destination, logger: log });

  return {
    [BackupJobName]: async (job: Job) => {
      const source: unknown = (job.data as { source?: unknown } | undefined)?.source;
      if (source === 'data') {
        return asJobError(() =>
          lock.run(
            'data',
            async (lockSignal) => {
              log.info({ jobId: job.id, source }, 'backup job started');
              const outcome = await runDataBackup(sources.data, { signal: lockSignal, logger: log });
              return { ...outcome, ...(await after('data', outcome.id)) };
            },
            { waitMs: config.backup.lock_wait },
          ),
        );
      }
      if (source === 'database' && !sources.database) {
        throw new UnrecoverableError(
          'KW_BACKUP_SOURCE_UNKNOWN: backup source "database" is not configured: set [database] url (KEEPWATCH_DATABASE_URL) for the worker',
        );
      }
      const manifest = await processor(job);
      // Retention and the remote copy of database backups run after the processor let go of the
      // lock, so they take it again: another worker's backup of the source must not overlap them.
      const followUp = await asJobError(() =>
        lock.run(manifest.source, () => after(manifest.source, manifest.id), { waitMs: config.backup.lock_wait }),
      );
      return { ...manifest, ...followUp };
    },
  };
}

/**
 * BullMQ keeps only a message: put the code in front, and stop retries that cannot help (a
 * refused key or an unknown host key on the remote). A failed remote copy leaves the local
 * backup in place, and its message says so (`afterBackupFromConfig`).
 */
async function asJobError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!isKeepwatchError(error)) throw error;
    const message = `${error.code}: ${error.message}`;
    const permanent = error instanceof BackupError && !error.retryable;
    const wrapped = permanent ? new UnrecoverableError(message) : new Error(message);
    throw Object.assign(wrapped, { code: error.code, cause: error });
  }
}
