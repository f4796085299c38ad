import { loadConfig, type KeepwatchConfig } from '@keepwatch/config';
import { createLogger } from '@keepwatch/runtime';
import { logLines } from '@keepwatch/test-support/log-lines';
import { REDIS_URL, removeKeys } from '@keepwatch/test-support/redis';
import { Redis } from 'ioredis';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/start-server.js';

export const PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export { REDIS_URL };

/**
 * Removes every key under the Redis prefix a test file gave its servers (queues, metrics, locks);
 * call it once those servers have closed, so none writes a key back.
 */
export async function removeRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    await removeKeys(redis, `*${prefix}*`);
  } finally {
    redis.disconnect();
  }
}

/** Starts the real server in-process on a free port, with settings given as the environment. */
export async function startTestServer(
  env: Record<string, string>,
): Promise<RunningServer & { logs: Record<string, unknown>[]; config: KeepwatchConfig }> {
  const dir = await mkdtemp(join(tmpdir(), 'kw-server-'));
  const { config } = await loadConfig({
    env: { KEEPWATCH_DATA_DIR: join(dir, 'data'), KEEPWATCH_BACKUP_DESTINATION: join(dir, 'backups'), ...env },
  });
  const sink = logLines();
  const logger = createLogger({ name: 'keepwatch-server', level: 'info', destination: sink.stream });
  const server = await startServer({ config, logger, listen: { host: '127.0.0.1', port: 0 } });
  return Object.assign(server, { logs: sink.lines, config });
}
