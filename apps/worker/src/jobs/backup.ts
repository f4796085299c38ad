import { toBackupJobError } from '@keepwatch/backup/bullmq';
import { BackupJobName, type BackupJobPayload, backupJobPayloadSchema, parsePayload } from '@keepwatch/jobs';
import { backupLockFromConfig, backupRepositoryFromConfig, backupRunOutcome } from '@keepwatch/runtime';
import type { Job } from 'bullmq';
import type { JobHandlers } from '../job-router.js';
import type { WorkerContext } from '../worker-context.js';
import { withBackupNotifications } from './backup-notifications.js';

/**
 * Runs `backup` jobs: take the source's Redis lock (shared with the other workers and
 * `keepwatch backup run`), then `repository.run(source)`: the backup, its remote copy and
 * retention, all under the lock. Retries and their backoff are the job's own
 * (`backupJobDefaults`); failures that a retry cannot fix fail the job for good
 * (`toBackupJobError`). Each attempt of a source the worker can back up is told to `[notify]`
 * (`withBackupNotifications`).
 */
export function backupHandlers({ loaded, logger, env, connection, resources, notifier }: WorkerContext): JobHandlers {
  const { config } = loaded;
  const log = logger.child({ component: 'backup' });
  const repository = backupRepositoryFromConfig(config, { env, logger: log });
  // The fail-fast client: with BullMQ's connection (no retry limit) a lock renewal would wait
  // out a Redis outage instead of failing, and the lease could lapse under a running backup.
  const lock = backupLockFromConfig(config, resources.redis ?? connection);

  const run = async (job: Job, payload: BackupJobPayload, signal?: AbortSignal) => {
    const { source } = payload;
    try {
      // Not runnable (made up, or `database` without its URL): the repository says why, unlocked.
      if (!repository.runnable.includes(source)) return backupRunOutcome(await repository.run(source));
      log.info(
        { jobId: job.id, source, trigger: payload.trigger, requestedBy: payload.requestedBy },
        'backup job started',
      );
      const result = await lock.run(
        source,
        (lockSignal) =>
          repository.run(source, {
            signal: lockSignal,
            onProgress: (progress) => {
              job.updateProgress({ ...progress }).catch(() => {});
            },
          }),
        { waitMs: config.backup.lock_wait, ...(signal ? { signal } : {}) },
      );
      return backupRunOutcome(result);
    } catch (error) {
      throw await toBackupJobError(error);
    }
  };

  return {
    [BackupJobName]: async (job: Job, _token?: string, signal?: AbortSignal) => {
      let payload: BackupJobPayload;
      try {
        payload = parsePayload(BackupJobName, backupJobPayloadSchema, job.data);
      } catch (error) {
        throw await toBackupJobError(error);
      }
      // A made-up source (a stale producer, a hand-made job) or `database` without its URL fails
      // untold: each notification is a check somewhere, and only runnable sources have one.
      if (!repository.runnable.includes(payload.source)) return run(job, payload, signal);
      return withBackupNotifications(notifier, job, payload.source, () => run(job, payload, signal));
    },
  };
}
