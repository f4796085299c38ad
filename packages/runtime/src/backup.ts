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
export {
  listRemoteBackups,
  remoteCatalogOldestFirst,
  withRemoteBackup,
  type FetchedBackup,
  type RemoteBackupCatalog,
  type RemoteCatalogOptions,
  type RemoteSnapshotEntry,
} from './backup-remote-catalog.js';
