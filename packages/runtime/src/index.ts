export { DatabaseUrlError, UsageError } from './errors.js';
export { parseProcessArgs, type ProcessArgs } from './process-args.js';
export { createLogger, REDACT_PATHS, URL_PATHS, type LoggerOptions } from './create-logger.js';
export { redactUrlForLog, redactUrlsInText } from './log-url-redaction.js';
export {
  createDatabaseClient,
  databaseKind,
  type DatabaseClient,
  type DatabaseKind,
  type DatabaseClientOptions,
} from './database-client.js';
export {
  closeRedisClient,
  createRedisClient,
  waitForRedis,
  type RedisClient,
  type RedisRole,
  type RedisSettings,
} from './redis-client.js';
export { isRedisConnectionError, logQueueErrors, type QueueErrorSource } from './queue-errors.js';
export { onShutdownSignal, type GracefulShutdownOptions } from './graceful-shutdown.js';
export { runMain, ExitCode } from './run-main.js';
export { openResources, type Resources } from './resources.js';
export { createHealthCheckerFromConfig } from './health-from-config.js';
export { createProfilerFromConfig, profilesDirectory } from './profiler-from-config.js';
export { createMetricsStoreFromConfig } from './metrics-from-config.js';
export { profileEventCounter } from './profile-event-counter.js';
// The light entry `@keepwatch/runtime/backup` (what the CLI's backup commands load) and the lock.
export * from './backup.js';
export { backupLockFromConfig } from './backup-lock-from-config.js';
export {
  createBackupStatusRecorder,
  backupStatusFromConfig,
  type BackupStatusRecorder,
  type BackupOutcome,
} from './backup-status-metrics.js';
export { carryOverLegacyBackupStatus } from './legacy-backup-status.js';
export { recordBackupRunFromConfig, type BackupRunResult } from './backup-run-status.js';
export {
  backupNotifierFromConfig,
  configSecrets,
  type NotifierFromConfigOptions,
} from './notify-from-config.js';
