export { createBackupProcessor, toBackupJobError, type BackupProcessorOptions } from './bullmq/backup-processor.js';
export { createSourceLock, type SourceLockOptions } from './bullmq/redis-source-lock.js';
export type { HeldSourceLock, SourceLock } from './source-lock.js';
