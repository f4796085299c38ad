export {
  backupDestinationFromConfig,
  backupLockFromConfig,
  backupOptionsFromConfig,
  backupSourcesFromConfig,
  backupToolOptionsFromConfig,
  dataSnapshotDirFromConfig,
  retentionPolicyFromConfig,
  backupRemoteFromConfig,
  type ConfiguredBackupSources,
  type DataBackupSource,
} from './backup-from-config.js';
