import type { BackupNotifier } from '@keepwatch/backup';
import type { LoadedConfig } from '@keepwatch/config';
import type { MetricsStore } from '@keepwatch/metrics';
import type { RedisClient, Resources } from '@keepwatch/runtime';
import type { Logger } from 'pino';

/** What a job handler may use: the config and the process's clients, opened once at start. */
export interface WorkerContext {
  loaded: LoadedConfig;
  logger: Logger;
  /** The environment the backup tools start from (the process's unless a test says otherwise). */
  env: Readonly<Record<string, string | undefined>>;
  /** The BullMQ connection (maxRetriesPerRequest: null). */
  connection: RedisClient;
  /** Database pool, fail-fast Redis, cache. */
  resources: Resources;
  /** Set when `[metrics] enabled`. */
  metrics: MetricsStore | undefined;
  /** `[notify]`: backup outcomes to a webhook and a dead-man's switch; a no-op when unset. */
  notifier: BackupNotifier;
}
