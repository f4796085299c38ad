export {
  selectForRetention,
  type RetentionCandidate,
  type RetentionReason,
  type RetentionSelection,
} from './select-for-retention.js';
export {
  resolveRetentionPolicy,
  resolveRetentionOptions,
  keepsEverything,
  type ResolvedRetentionPolicy,
  type RetentionOptions,
  type RetentionPolicy,
} from './retention-policy.js';
export { calendarBucketer, isoWeek, type CalendarBuckets } from './calendar-buckets.js';
export { pruneBackups, type PruneBackupsOptions, type PruneBackupsReport } from './prune-backups.js';
