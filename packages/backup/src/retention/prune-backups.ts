import type { Destination } from '../destination.js';
import type { BackupLogger } from '../logger.js';
import type { RetentionOptions, RetentionPolicy } from './retention-policy.js';
import { selectForRetention, type RetentionReason } from './select-for-retention.js';

export interface PruneBackupsOptions extends RetentionOptions {
  destination: Destination;
  /** The source whose backups are pruned (`database`). */
  source: string;
  policy: RetentionPolicy;
  /** Report what would go without deleting anything. @defaultValue false */
  dryRun?: boolean;
  logger?: BackupLogger;
}

export interface PruneBackupsReport {
  kept: { id: string; reasons: RetentionReason[] }[];
  /** Deleted, or with `dryRun` to be deleted; oldest first. */
  removed: string[];
  dryRun: boolean;
}

/**
 * Applies a retention policy to one source's backups in a destination (see `selectForRetention`;
 * the newest is always kept). Only backups with a manifest are listed, so one being written is
 * never touched. The counterpart of `pruneSnapshots` for dumps.
 */
export async function pruneBackups(options: PruneBackupsOptions): Promise<PruneBackupsReport> {
  const manifests = await options.destination.listManifests({ source: options.source });
  const candidates = manifests.map((m) => ({ id: m.id, finishedAt: new Date(m.finishedAt), state: 'complete' as const }));
  const { keep, remove } = selectForRetention(candidates, options.policy, options.timeZone === undefined ? {} : { timeZone: options.timeZone });
  const dryRun = options.dryRun ?? false;
  if (!dryRun) {
    for (const id of remove) {
      await options.destination.remove(id);
      options.logger?.info({ id }, 'backup: removed by retention');
    }
  }
  return { kept: [...keep].map(([id, reasons]) => ({ id, reasons })), removed: remove, dryRun };
}
