import { tmpdir } from 'node:os';
import { removeLeftoverPasswordFiles } from '@keepwatch/backup';
import { ConfigError, ensureDataDir, loadOrCreateSecret, type LoadedConfig, redisMode } from '@keepwatch/config';
import { QueueName, bullmqPrefix } from '@keepwatch/jobs';
import { instrumentProcessor } from '@keepwatch/metrics';
import {
  backupNotifierFromConfig,
  runnableBackupSources,
  carryOverLegacyBackupStatus,
  createMetricsStoreFromConfig,
  createProfilerFromConfig,
  createRedisClient,
  createBackupStatusRecorder,
  logQueueErrors,
  openResources,
  profileEventCounter,
  type BackupOutcome,
  type BackupStatusRecorder,
  type RedisClient,
  type Resources,
} from '@keepwatch/runtime';
import { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { buildHandlers } from './handlers.js';
import { upsertSchedules } from './schedules.js';
import { createJobRouter, type JobHandlers } from './job-router.js';
import type { WorkerContext } from './worker-context.js';

export interface StartWorkerOptions {
  loaded: LoadedConfig;
  logger: Logger;
  /** Extra or replacement handlers by job name (tests add their own). */
  handlers?: JobHandlers;
  /** What the backup tools start from (their PATH). @defaultValue process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface RunningWorker {
  workers: readonly Worker[];
  context: WorkerContext;
  /** Stops taking jobs, waits for the running ones, flushes metrics, closes connections. */
  close(): Promise<void>;
}

export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const { loaded, logger } = options;
  const { config } = loaded;
  if (!redisMode(config)) {
    throw new ConfigError([
      {
        key: 'redis.url',
        origin: loaded.origins['redis.url'] ?? { kind: 'default' },
        message:
          'the worker takes its jobs from Redis: set [redis] url (or KEEPWATCH_REDIS_URL), sentinels or cluster_nodes',
      },
    ]);
  }
  await ensureDataDir(config.data.dir);
  const leftovers = await removeLeftoverPasswordFiles(tmpdir());
  if (leftovers.length > 0)
    logger.warn({ removed: leftovers }, 'removed database password files an earlier keepwatch left behind');
  const secret = await loadOrCreateSecret(config.data.dir, config.data.secret);
  for (const warning of secret.warnings) logger.warn(warning);

  const connection = createRedisClient(config.redis, 'bullmq', {}, logger);
  const resources = openResources(config, logger);
  try {
    return await startOn(options, connection, resources);
  } catch (error) {
    // A worker that cannot start ends: no client it opened may keep the process alive.
    await resources.close().catch(() => undefined);
    connection.disconnect();
    throw error;
  }
}

async function startOn(
  options: StartWorkerOptions,
  connection: RedisClient,
  resources: Resources,
): Promise<RunningWorker> {
  const { loaded, logger } = options;
  const { config } = loaded;
  const metrics = createMetricsStoreFromConfig(config, resources.redis, logger);
  const notifier = backupNotifierFromConfig(config, {
    sender: 'worker',
    logger: logger.child({ component: 'notify' }),
    metrics,
  });
  const env = options.env ?? process.env;
  const context: WorkerContext = { loaded, logger, env, connection, resources, metrics, notifier };
  const profiler = createProfilerFromConfig(config, logger, metrics ? profileEventCounter(metrics) : undefined);
  const router = createJobRouter({ ...buildHandlers(context), ...options.handlers }, logger, profiler);
  // Every job run is recorded as pretix_task_runs_total / pretix_task_duration_seconds.
  const processor = metrics ? instrumentProcessor(metrics, router) : router;
  const prefix = bullmqPrefix(config.redis.prefix, { cluster: redisMode(config) === 'cluster' });
  // What the backup jobs can run (`database` only with its URL): each shown from 0, no other.
  const sources = runnableBackupSources(config);
  const backupStatus = metrics ? createBackupStatusRecorder(metrics, sources) : undefined;
  if (metrics && resources.redis) {
    carryOverLegacyBackupStatus(resources.redis, config.redis.prefix, metrics, sources).catch((error: unknown) =>
      logger.warn({ err: { message: (error as Error).message } }, 'could not carry the backup status over'),
    );
  }
  const workers = [QueueName.backup, QueueName.maintenance].map((queue) => {
    const worker = new Worker(queue, processor, {
      connection,
      prefix,
      // Backups are heavy and hold a per-source lock anyway: one at a time per process.
      concurrency: 1,
      autorun: true,
    });
    // Without a listener BullMQ's errors would reach the console; a lost connection is logged
    // once per outage by the Redis client already, any other error once by this listener.
    logQueueErrors(worker, connection, logger, { queue });
    worker.on('failed', (job, error) =>
      logger.warn({ queue, job: job?.name, jobId: job?.id, err: { message: error.message } }, 'job failed'),
    );
    if (queue === QueueName.backup && backupStatus) recordBackupOutcomes(worker, backupStatus);
    return worker;
  });
  try {
    await Promise.all(workers.map((worker) => worker.waitUntilReady()));
    await upsertSchedules(context, prefix);
  } catch (error) {
    await Promise.allSettled([
      ...workers.map((worker) => worker.close(true)),
      profiler.close(),
      metrics?.close(),
      notifier.close(),
    ]);
    throw error;
  }
  logger.info({ queues: workers.map((w) => w.name), prefix }, 'worker ready');

  let closing: Promise<void> | undefined;
  return {
    workers,
    context,
    close: () => {
      closing ??= (async () => {
        await Promise.all(workers.map((worker) => worker.close()));
        // The last job's notifications are on their way: waited for up to [notify] timeout.
        await notifier.close();
        await profiler.close();
        // After the profiler's last writes (its counts), before resources.close() quits the connection.
        await metrics?.close();
        await resources.close();
        connection.disconnect();
      })();
      return closing;
    },
  };
}

/**
 * Feeds `keepwatch_backup_*` from the backup queue's outcomes (every failed attempt counts); the
 * metrics store buffers them and sends them with its next flush, like any other observation.
 */
function recordBackupOutcomes(worker: Worker, status: BackupStatusRecorder): void {
  worker.on('completed', (_job, result: unknown) => {
    const outcome = result as Partial<BackupOutcome> | undefined;
    if (outcome?.source && outcome.startedAt && outcome.finishedAt && typeof outcome.storedBytes === 'number') {
      status.success(outcome as BackupOutcome);
    }
  });
  worker.on('failed', (job) => {
    const source = (job?.data as { source?: unknown } | undefined)?.source;
    if (typeof source === 'string') status.failure(source);
  });
}
