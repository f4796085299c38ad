export {
  createBackupRepository,
  type BackupRepository,
  type BackupRepositoryOptions,
  type RepositoryListOptions,
} from './backup-repository.js';
export type {
  BackupKind,
  BackupType,
  KindContext,
  KindProgress,
  KindRestoreOptions,
  KindRunOptions,
  KindVerifyOptions,
  RestoreInto,
} from './backup-kind.js';
export type {
  BackupEntry,
  BackupLocation,
  DumpEntry,
  DumpRunResult,
  KindRestoreResult,
  KindRunResult,
  KindVerifyResult,
  RepositoryPruneResult,
  RepositoryRestoreResult,
  RepositoryRunResult,
  RepositoryVerifyResult,
  SnapshotEntry,
  SnapshotRunResult,
} from './backup-results.js';
