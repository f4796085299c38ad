// The public API: what the apps and runtime use, the interfaces to extend it with (a kind, a
// storage, a remote, a source and its restore target, a destination, a lock) and the errors to
// catch. Everything else is internal; the package's tests import it from its module.

// Repository: run, list, verify, restore and prune every kind of backup, local and remote.
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
  type RepositoryListOptions,
  type RepositoryPruneResult,
  type RepositoryRestoreResult,
  type RepositoryRunResult,
  type RepositoryVerifyResult,
  type RestoreInto,
  type SnapshotEntry,
  type SnapshotRunResult,
} from './repository/index.js';

// Kinds: a database dump and a data-directory snapshot.
export { dumpKind, snapshotKind, type DumpKindOptions, type SnapshotKindOptions } from './kinds/index.js';

// Dumps: run, restore and verify one; the catalog and manifests of a destination.
export { runBackup } from './dump/run-backup.js';
export { restoreBackup } from './dump/restore-backup.js';
export { verifyBackup, type VerifyReport } from './dump/verify-backup.js';
export { listBackups } from './catalog/list-backups.js';
export { listBackupCatalog, catalogOldestFirst } from './catalog/backup-catalog.js';
export { localDestination, type LocalDestination, type LocalDestinationOptions } from './catalog/local-destination.js';
export type { Destination, DestinationWriter } from './catalog/destination.js';
export { parseBackupId, isValidSourceName } from './catalog/backup-id.js';
export { parseManifest, serializeManifest, type BackupManifest } from './catalog/manifest.js';

// Sources & targets: databases by URL, the interfaces a new one implements.
export { databaseSource, databaseTarget, createScratchDatabase } from './databases/database.js';
export { postgresSource } from './databases/pg-dump-source.js';
export type { BackupSource, OpenSourceOptions, SourceDump, SourceMetadata } from './databases/source.js';
export type { RestoreSink, RestoreTarget, ScratchTarget } from './databases/restore-target.js';
export { removeLeftoverPasswordFiles } from './databases/leftover-password-files.js';
export {
  resolveBackupOptions,
  type BackupOptions,
  type DatabaseSourceOptions,
  type DatabaseTargetOptions,
  type DatabaseToolOptions,
} from './options.js';
export type { ToolEnvironment } from './pipeline/tool-process.js';
export type { Compression } from './pipeline/compression.js';
export type { BackupProgress } from './pipeline/progress.js';
export type { BackupLogger } from './logger.js';
// The BullMQ processor and the Redis lock are `@keepwatch/backup/bullmq`: the core imports neither.
export type { HeldSourceLock, SourceLock } from './source-lock.js';

// Data-directory snapshots.
export {
  takeSnapshot,
  restoreSnapshot,
  verifySnapshot,
  listSnapshots,
  pruneSnapshots,
  removeIncompleteSnapshots,
  resolveTakeSnapshotOptions,
  type SnapshotProgressListener,
  type SnapshotVerifyReport,
} from './snapshot/index.js';

// Storage & remotes: where backups are kept off the machine.
export {
  s3Storage,
  sshStorage,
  localStorage,
  type LocalStorageOptions,
  type S3StorageOptions,
  type SshStorageOptions,
  type Storage,
  type StorageObject,
} from './storage/index.js';
export {
  rsyncOverSsh,
  resolveRsyncOverSshOptions,
  storageRemote,
  type PushOptions,
  type RemoteDestination,
  type RemoteEntry,
  type RsyncOverSshOptions,
  type StorageRemoteOptions,
} from './remote/index.js';

// Retention: which backups a keep-last/daily/weekly/monthly policy keeps.
export {
  selectForRetention,
  resolveRetentionPolicy,
  resolveRetentionOptions,
  pruneBackups,
  type RetentionPolicy,
  type RetentionReason,
} from './retention/index.js';

// Notify: webhooks and dead-man's-switch pings of backup outcomes.
export {
  createBackupNotifier,
  type BackupNotifier,
  type BackupNotifierOptions,
  type BackupWebhookBody,
  type NotificationKind,
  type NotificationStats,
} from './notify/index.js';

// Errors: every class has a stable KW_ code.
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
  SnapshotCorruptError,
  SnapshotExistsError,
  SnapshotInvalidError,
  SnapshotTargetNotEmptyError,
} from './snapshot/index.js';
export {
  StorageAccessDeniedError,
  StorageBucketMissingError,
  StorageFailedError,
  StorageIntegrityError,
  StorageKeyError,
  StorageNotFoundError,
  StorageRangeError,
  StorageUnavailableError,
} from './storage/index.js';
export {
  RemoteIntegrityError,
  RemoteNotFoundError,
  RemotePathError,
  RemoteSourceChangedError,
  RemoteTransferError,
} from './remote/index.js';
