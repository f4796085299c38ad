import type { BackupLogger } from '../logger.js';
import type { RetentionOptions, RetentionPolicy } from './retention-policy.js';
import { selectForRetention, type RetentionCandidate, type RetentionReason } from './select-for-retention.js';

/** What every prune takes besides where it prunes. */
export interface PruneOptions extends RetentionOptions {
  policy: RetentionPolicy;
  /** Report what would go without deleting anything (`keepwatch backup prune --dry-run`). @defaultValue false */
  dryRun?: boolean;
  logger?: BackupLogger;
}

export interface PruneReport {
  kept: { id: string; reasons: RetentionReason[] }[];
  /** Deleted, or with `dryRun` to be deleted; oldest first. */
  removed: string[];
  dryRun: boolean;
}

/**
 * The one prune loop behind `pruneBackups` and `pruneSnapshots`: `selectForRetention` picks, then
 * (unless `dryRun`) `remove` deletes each pick in turn, oldest first, logged as
 * `<kind>: removed by retention`.
 */
export async function applyRetention(
  candidates: readonly RetentionCandidate[],
  options: PruneOptions,
  kind: string,
  remove: (id: string) => Promise<void>,
): Promise<PruneReport> {
  const { keep, remove: doomed } = selectForRetention(
    candidates,
    options.policy,
    options.timeZone === undefined ? {} : { timeZone: options.timeZone },
  );
  const dryRun = options.dryRun ?? false;
  if (!dryRun) {
    for (const id of doomed) {
      await remove(id);
      options.logger?.info({ id }, `${kind}: removed by retention`);
    }
  }
  return { kept: [...keep].map(([id, reasons]) => ({ id, reasons })), removed: doomed, dryRun };
}
