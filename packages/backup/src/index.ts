export { runBackup, type RunBackupOptions } from './dump/run-backup.js';
export { listBackups } from './catalog/list-backups.js';
export {
  listBackupCatalog,
  catalogOldestFirst,
  type BackupCatalog,
  type BackupCatalogOptions,
  type CatalogSnapshot,
} from './catalog/backup-catalog.js';
export { restoreBackup, type RestoreBackupOptions, type RestoreReport } from './dump/restore-backup.js';
export {
  verifyBackup,
  type RestoreTestReport,
  type VerifyBackupOptions,
  type VerifyReport,
} from './dump/verify-backup.js';
export { checkChecksum, type ChecksumResult } from './pipeline/checksum.js';
// The BullMQ processor and the Redis lock are `@keepwatch/backup/bullmq`: the core imports neither.
export type { HeldSourceLock, SourceLock } from './source-lock.js';
export { databaseSource, databaseTarget, createScratchDatabase } from './databases/database.js';
export { removeLeftoverPasswordFiles } from './databases/leftover-password-files.js';
export { postgresSource, parsePgToolVersion } from './databases/pg-dump-source.js';
export { postgresTarget, createPostgresScratch } from './databases/pg-restore-target.js';
export { mysqlSource } from './databases/mysql-dump-source.js';
export { mysqlTarget, createMysqlScratch } from './databases/mysql-restore-target.js';
export { localDestination, type LocalDestination, type LocalDestinationOptions } from './catalog/local-destination.js';
export type { Destination, DestinationWriter } from './catalog/destination.js';
export type { BackupSource, OpenSourceOptions, SourceDump, SourceMetadata } from './databases/source.js';
export type { RestoreSink, RestoreTarget, ScratchTarget } from './databases/restore-target.js';
export {
  resolveBackupOptions,
  resolveDatabaseOptions,
  type BackupOptions,
  type DatabaseSourceOptions,
  type DatabaseTargetOptions,
  type DatabaseToolOptions,
  type ResolvedBackupOptions,
  type ResolvedDatabaseOptions,
} from './options.js';
export { createBackupId, parseBackupId, isValidSourceName, type ParsedBackupId } from './catalog/backup-id.js';
export {
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  manifestSchema,
  parseManifest,
  serializeManifest,
  type BackupManifest,
  type TableCount,
} from './catalog/manifest.js';
export type { ToolEnvironment, ToolEnvironmentOptions } from './pipeline/tool-process.js';
export type { Compression } from './pipeline/compression.js';
export type { BackupProgress, ProgressListener } from './pipeline/progress.js';
export type { BackupLogger } from './logger.js';
export { keepwatchVersion } from './version.js';
export {
  takeSnapshot,
  restoreSnapshot,
  verifySnapshot,
  archiveSnapshot,
  extractArchive,
  DEFAULT_EXCLUDE,
  DEFAULT_INCLUDE,
  resolveTakeSnapshotOptions,
  loadSnapshot,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  createPathFilter,
  listSnapshots,
  pruneSnapshots,
  removeSnapshot,
  removeIncompleteSnapshots,
  SnapshotCorruptError,
  SnapshotExistsError,
  SnapshotInvalidError,
  SnapshotTargetNotEmptyError,
  type ArchiveResult,
  type ArchiveToolOptions,
  type ExtractArchiveOptions,
  type IndexEntry,
  type ListedSnapshot,
  type LoadedSnapshot,
  type PathFilter,
  type PruneSnapshotsOptions,
  type PruneSnapshotsReport,
  type RestoreSnapshotOptions,
  type RestoreSnapshotReport,
  type SnapshotProblem,
  type SnapshotProgress,
  type SnapshotProgressListener,
  type SnapshotResult,
  type SnapshotRunOptions,
  type SnapshotSummary,
  type SnapshotVerifyReport,
  type TakeSnapshotOptions,
} from './snapshot/index.js';
export {
  selectForRetention,
  resolveRetentionPolicy,
  resolveRetentionOptions,
  keepsEverything,
  calendarBucketer,
  isoWeek,
  pruneBackups,
  type PruneBackupsOptions,
  type PruneBackupsReport,
  type CalendarBuckets,
  type ResolvedRetentionPolicy,
  type RetentionCandidate,
  type RetentionOptions,
  type RetentionPolicy,
  type RetentionReason,
  type RetentionSelection,
} from './retention/index.js';
export {
  rsyncOverSsh,
  parseListing,
  resolveRsyncOverSshOptions,
  checkRemotePath,
  RemoteNotFoundError,
  RemotePathError,
  RemoteTransferError,
  RemoteIntegrityError,
  RemoteSourceChangedError,
  storageRemote,
  type StorageRemoteOptions,
  type PushOptions,
  type RemoteDestination,
  type RemoteEntry,
  type ResolvedRsyncOverSshOptions,
  type RsyncOverSshOptions,
} from './remote/index.js';
export {
  s3Storage,
  sshStorage,
  localStorage,
  StorageAccessDeniedError,
  StorageBucketMissingError,
  StorageFailedError,
  StorageIntegrityError,
  StorageKeyError,
  StorageNotFoundError,
  StorageRangeError,
  StorageUnavailableError,
  type Storage,
  type StorageObject,
  type S3StorageOptions,
  type SshStorageOptions,
  type LocalStorageOptions,
} from './storage/index.js';
export {
  BackupAbortedError,
  BackupAuthError,
  BackupBusyError,
  BackupChecksumError,
  BackupConnectionError,
  BackupError,
  BackupIdError,
  BackupIdentityRequiredError,
  BackupIoError,
  BackupKindMismatchError,
  BackupLockLostError,
  BackupLockUnavailableError,
  BackupManifestError,
  BackupNotFoundError,
  BackupOptionsError,
  BackupScratchPrivilegeError,
  BackupSourceUnknownError,
  BackupTargetNotEmptyError,
  BackupToolFailedError,
  BackupToolMissingError,
  BackupToolTooOldError,
} from './errors.js';
export {
  createBackupNotifier,
  redactNotificationUrl,
  resolveNotifierOptions,
  type BackupFailedEvent,
  type BackupNotifier,
  type BackupNotifierOptions,
  type BackupStartedEvent,
  type BackupSucceededEvent,
  type BackupWebhookBody,
  type NotificationKind,
  type NotificationStats,
} from './notify/index.js';
export {
  createBackupRepository,
  type BackupEntry,
  type BackupKind,
  type BackupLocation,
  type BackupRepository,
  type BackupRepositoryOptions,
  type BackupType,
  type DumpEntry,
  type DumpRunResult,
  type KindContext,
  type KindProgress,
  type KindRestoreOptions,
  type KindRestoreResult,
  type KindRunOptions,
  type KindRunResult,
  type KindVerifyOptions,
  type KindVerifyResult,
  type RepositoryPruneResult,
  type RepositoryListOptions,
  type RepositoryRestoreResult,
  type RepositoryRunResult,
  type RepositoryVerifyResult,
  type RestoreInto,
  type SnapshotEntry,
  type SnapshotRunResult,
} from './repository/index.js';
export { dumpKind, snapshotKind, type DumpKindOptions, type SnapshotKindOptions } from './kinds/index.js';
