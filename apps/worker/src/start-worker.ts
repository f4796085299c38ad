import { ConfigError, ensureDataDir, loadOrCreateSecret, type LoadedConfig } from '@keepwatch/config';
import { QueueName, bullmqPrefix } from '@keepwatch/jobs';
import { createProfilerFromConfig, createRedisClient } from '@keepwatch/runtime';
import { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { createJobRouter, type JobHandlers } from './job-router.js';

export interface StartWorkerOptions {
  loaded: LoadedConfig;
  logger: Logger;
  /** Extra or replacement handlers by job name (tests add their own). */
  handlers?: JobHandlers;
}

export interface RunningWorker {
  workers: readonly Worker[];
  /** Stops taking jobs, waits for the running ones, closes connections. */
  close(): Promise<void>;
}

export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const { loaded, logger } = options;
  const { config } = loaded;
  if (!config.redis.url) {
    throw new ConfigError([
      {
        key: 'redis.url',
        origin: loaded.origins['redis.url'] ?? { kind: 'default' },
        message: 'the worker takes its jobs from Redis: set [redis] url (or KEEPWATCH_REDIS_URL)',
      },
    ]);
  }
  await ensureDataDir(config.data.dir);
  const secret = await loadOrCreateSecret(config.data.dir, config.data.secret);
  for (const warning of secret.warnings) logger.warn(warning);

  const connection = createRedisClient(config.redis.url, 'bullmq', {}, logger);
  const profiler = createProfilerFromConfig(config, logger);
  const router = createJobRouter({ ...options.handlers }, logger, profiler);
  const prefix = bullmqPrefix(config.redis.prefix);
  const workers = [QueueName.backup, QueueName.maintenance].map((queue) => {
    const worker = new Worker(queue, router, {
      connection,
      prefix,
      // Backups are heavy and hold a per-source lock anyway: one at a time per process.
      concurrency: 1,
      autorun: true,
    });
    // Without a listener BullMQ's connection errors would reach the console; they are logged
    // once per outage by the Redis client already.
    worker.on('error', () => undefined);
    worker.on('failed', (job, error) =>
      logger.warn({ queue, job: job?.name, jobId: job?.id, err: { message: error.message } }, 'job failed'),
    );
    return worker;
  });
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  logger.info({ queues: workers.map((w) => w.name), prefix }, 'worker ready');

  let closing: Promise<void> | undefined;
  return {
    workers,
    close: () => {
      closing ??= (async () => {
        await Promise.all(workers.map((worker) => worker.close()));
        await profiler.close();
        connection.disconnect();
      })();
      return closing;
    },
  };
}
