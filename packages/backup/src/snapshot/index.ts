export { takeSnapshot, type SnapshotResult } from './take-snapshot.js';
export { restoreSnapshot, type RestoreSnapshotOptions, type RestoreSnapshotReport } from './restore-snapshot.js';
export { verifySnapshot, type SnapshotVerifyReport } from './verify-snapshot.js';
export {
  archiveSnapshot,
  extractArchive,
  type ArchiveResult,
  type ArchiveToolOptions,
  type ExtractArchiveOptions,
} from './snapshot-archive.js';
export {
  DEFAULT_EXCLUDE,
  DEFAULT_INCLUDE,
  resolveTakeSnapshotOptions,
  type SnapshotProgress,
  type SnapshotProgressListener,
  type SnapshotRunOptions,
  type TakeSnapshotOptions,
} from './snapshot-options.js';
export {
  loadSnapshot,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type IndexEntry,
  type LoadedSnapshot,
  type SnapshotSummary,
} from './snapshot-index.js';
export { createPathFilter, type PathFilter } from './path-filter.js';
export {
  SnapshotCorruptError,
  SnapshotExistsError,
  SnapshotInvalidError,
  SnapshotTargetNotEmptyError,
  type SnapshotProblem,
} from './errors.js';
export {
  listSnapshots,
  pruneSnapshots,
  removeSnapshot,
  removeIncompleteSnapshots,
  type ListedSnapshot,
  type PruneSnapshotsOptions,
  type PruneSnapshotsReport,
} from './list-snapshots.js';
