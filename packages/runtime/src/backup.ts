export {
  backupDestinationFromConfig,
  backupOptionsFromConfig,
  backupToolOptionsFromConfig,
  retentionPolicyFromConfig,
  backupRemoteFromConfig,
  type ProcessEnvironment,
} from './backup-from-config.js';
export {
  backupRepositoryFromConfig,
  runnableBackupSources,
  type BackupRepositoryFromConfigOptions,
} from './backup-repository-from-config.js';
export {
  backupRunOutcome,
  pruneOutcome,
  type BackupRunOutcome,
  type PruneOutcome,
} from './backup-outcomes.js';
