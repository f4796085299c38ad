import { BackupJobName, MaintenanceJobName, QueueName, backupJobDefaults } from '@keepwatch/jobs';
import { logQueueErrors, runnableBackupSources } from '@keepwatch/runtime';
import { Queue } from 'bullmq';
import type { WorkerContext } from './worker-context.js';

const BACKUP_SCHEDULER = 'backup:';

/**
 * Upserts the job schedulers the config asks for and removes the ones it no longer does.
 *
 * Job schedulers live in Redis, shared by every worker, and BullMQ creates one job per tick
 * whatever the number of workers; so upserting at every start is idempotent, five workers still
 * give one backup per tick, and a schedule taken out of the config disappears from Redis.
 */
export async function upsertSchedules(context: WorkerContext, prefix: string): Promise<void> {
  const { config } = context.loaded;
  const maintenance = new Queue(QueueName.maintenance, { connection: context.connection, prefix });
  const backup = new Queue(QueueName.backup, { connection: context.connection, prefix });
  for (const queue of [maintenance, backup])
    logQueueErrors(queue, context.connection, context.logger, { queue: queue.name });
  try {
    const every = config.metrics.models_refresh;
    if (context.metrics && context.resources.database && every > 0) {
      await maintenance.upsertJobScheduler(
        MaintenanceJobName.refreshModelInstances,
        { every },
        { name: MaintenanceJobName.refreshModelInstances, opts: { removeOnComplete: 100, removeOnFail: 100 } },
      );
    } else {
      await maintenance.removeJobScheduler(MaintenanceJobName.refreshModelInstances);
    }

    const wanted = new Set<string>();
    if (config.backup.schedule) {
      for (const source of runnableBackupSources(config)) {
        const id = `${BACKUP_SCHEDULER}${source}`;
        wanted.add(id);
        await backup.upsertJobScheduler(
          id,
          { pattern: config.backup.schedule, tz: config.backup.timezone },
          { name: BackupJobName, data: { source, trigger: 'schedule' }, opts: backupJobDefaults },
        );
      }
    }
    for (const scheduler of await backup.getJobSchedulers()) {
      if (scheduler.key.startsWith(BACKUP_SCHEDULER) && !wanted.has(scheduler.key)) {
        await backup.removeJobScheduler(scheduler.key);
        context.logger.info({ scheduler: scheduler.key }, 'removed a backup schedule no longer in the config');
      }
    }
  } finally {
    await Promise.all([maintenance.close(), backup.close()]);
  }
}
