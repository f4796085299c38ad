// The repository's results in the shapes keepwatch has always shown them: `keepwatch backup run
// --json`, `backup prune --json` and a backup job's result.
import type { RepositoryPruneResult, RepositoryRunResult, RetentionReason } from '@keepwatch/backup';

/** What retention kept (with every rule that keeps it) and removed, for one source. */
export interface PruneOutcome {
  source: string;
  /** `database` for dumps, `data` for data-directory snapshots. */
  kind: 'database' | 'data';
  dryRun: boolean;
  kept: { id: string; reasons: RetentionReason[] }[];
  /** Removed, or with `dryRun` to be removed; oldest first. */
  removed: string[];
}

export function pruneOutcome(result: RepositoryPruneResult): PruneOutcome {
  return {
    source: result.source,
    kind: result.type === 'snapshot' ? 'data' : 'database',
    dryRun: result.dryRun,
    kept: result.kept,
    removed: result.removed,
  };
}

/** A run's result without the repository's `type`, its retention as a `PruneOutcome`. */
export type BackupRunOutcome<R extends RepositoryRunResult = RepositoryRunResult> = R extends unknown
  ? Omit<R, 'type' | 'retention'> & { retention: PruneOutcome }
  : never;

/**
 * A dump's manifest or a snapshot's outcome, then `retention` and `remote`: the result of
 * `BackupRepository.run` as `backup run --json` and a job's result have always had it.
 */
export function backupRunOutcome<R extends RepositoryRunResult>(result: R): BackupRunOutcome<R> {
  const { type: _type, retention, ...rest } = result;
  return { ...rest, retention: pruneOutcome(retention) } as unknown as BackupRunOutcome<R>;
}
