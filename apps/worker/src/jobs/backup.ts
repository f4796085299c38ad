import { BackupSourceUnknownError } from '@keepwatch/backup';
import { createBackupProcessor, toBackupJobError } from '@keepwatch/backup/bullmq';
import { BackupJobName, backupJobPayloadSchema, parsePayload } from '@keepwatch/jobs';
import {
  afterBackupFromConfig,
  backupDestinationFromConfig,
  backupLockFromConfig,
  backupOptionsFromConfig,
  backupRemoteFromConfig,
  backupSourcesFromConfig,
  runDataBackup,
} from '@keepwatch/runtime';
import type { Job } from 'bullmq';
import type { JobHandlers } from '../job-router.js';
import type { WorkerContext } from '../worker-context.js';
import { withBackupNotifications } from './backup-notifications.js';

/**
 * Runs `backup` jobs: one backup of the named source under the per-source Redis lock, shared
 * with the other workers and `keepwatch backup run`, then the remote copy and retention
 * (`afterBackupFromConfig`) under the same lock, without letting go of it in between. Retries
 * and their backoff are the job's own (`backupJobDefaults`); failures that a retry cannot fix
 * fail the job for good (`toBackupJobError`). Each attempt of a configured source is told to
 * `[notify]` (`withBackupNotifications`).
 */
export function backupHandlers({ loaded, logger, connection, resources, notifier }: WorkerContext): JobHandlers {
  const { config } = loaded;
  const sources = backupSourcesFromConfig(config);
  const log = logger.child({ component: 'backup' });
  const destination = backupDestinationFromConfig(config, log);
  const remote = backupRemoteFromConfig(config, log);
  // The fail-fast client: with BullMQ's connection (no retry limit) a lock renewal would wait
  // out a Redis outage instead of failing, and the lease could lapse under a running backup.
  const lock = backupLockFromConfig(config, resources.redis ?? connection);
  const after = (source: string, id: string) =>
    afterBackupFromConfig(config, source, id, { remote, destination, logger: log });
  const processor = createBackupProcessor({
    sources: sources.database ? { database: sources.database } : {},
    destination,
    lock,
    backup: backupOptionsFromConfig(config),
    lockWaitMs: config.backup.lock_wait,
    logger: log,
    afterBackup: (manifest) => after(manifest.source, manifest.id),
  });

  /** The data directory is a snapshot, not a `BackupSource`: the same lock and follow-up, by hand. */
  const backUpData = async (job: Job, signal?: AbortSignal) => {
    try {
      return await lock.run(
        'data',
        async (lockSignal) => {
          log.info({ jobId: job.id, source: 'data' }, 'backup job started');
          const outcome = await runDataBackup(sources.data, { signal: lockSignal, logger: log });
          return { ...outcome, ...(await after('data', outcome.id)) };
        },
        { waitMs: config.backup.lock_wait, signal },
      );
    } catch (error) {
      throw await toBackupJobError(error);
    }
  };

  return {
    [BackupJobName]: async (job: Job, token?: string, signal?: AbortSignal) => {
      let source: string;
      try {
        source = parsePayload(BackupJobName, backupJobPayloadSchema, job.data).source;
      } catch (error) {
        throw await toBackupJobError(error);
      }
      if (source === 'database' && !sources.database) {
        throw await toBackupJobError(
          new BackupSourceUnknownError(
            'database',
            ['data'],
            'set [database] url (KEEPWATCH_DATABASE_URL) for the worker',
          ),
        );
      }
      if (source === 'data') return withBackupNotifications(notifier, job, source, () => backUpData(job, signal));
      // A made-up source (a stale producer, a hand-made job) fails in the processor, untold:
      // each notification is a check somewhere, and only configured sources have one.
      if (source !== 'database') return processor(job, token, signal);
      return withBackupNotifications(notifier, job, source, () => processor(job, token, signal));
    },
  };
}
