import { join } from 'node:path';
import { loadConfig, type LoadedConfig } from '@keepwatch/config';
import { bullmqPrefix, type QueueName } from '@keepwatch/jobs';
import { createLogger } from '@keepwatch/runtime';
import { Queue, QueueEvents } from 'bullmq';
import { REDIS_URL, removeKeys } from '@keepwatch/test-support/redis';
import { Redis } from 'ioredis';

export { REDIS_URL };

export const silentLogger = () => createLogger({ name: 'test', level: 'silent' });

/**
 * The config of a worker under test: its own Redis prefix, and its data directory and backup
 * folder under `root` (`root/data`, `root/backups`); `env` adds or overrides settings.
 */
export function testWorkerConfig(
  root: string,
  prefix: string,
  env: Record<string, string> = {},
): Promise<LoadedConfig> {
  return loadConfig({ env: { ...testWorkerEnv(root, prefix), ...env } });
}

/** The settings of {@link testWorkerConfig} as environment variables, for a worker process of its own. */
export function testWorkerEnv(root: string, prefix: string): Record<string, string> {
  return {
    KEEPWATCH_REDIS_URL: REDIS_URL,
    KEEPWATCH_REDIS_PREFIX: prefix,
    KEEPWATCH_DATA_DIR: join(root, 'data'),
    KEEPWATCH_BACKUP_DESTINATION: join(root, 'backups'),
  };
}

export interface TestQueue {
  connection: Redis;
  queue: Queue;
  events: QueueEvents;
  /**
   * Obliterates the queue, closes every connection and removes every key under the prefix (the
   * worker's other queue, its metrics, its locks); close the worker first, and read what it left
   * in Redis before.
   */
  close(): Promise<void>;
}

/** A producer and a listener on one of the worker's queues under `prefix`, ready to wait on jobs. */
export async function testQueue(name: QueueName, prefix: string): Promise<TestQueue> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection, prefix: bullmqPrefix(prefix) });
  const events = new QueueEvents(name, {
    connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
    prefix: bullmqPrefix(prefix),
  });
  await events.waitUntilReady();
  return {
    connection,
    queue,
    events,
    async close() {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await events.close();
      try {
        await removeKeys(connection, `*${prefix}*`);
      } finally {
        connection.disconnect();
      }
    },
  };
}
