import { BackupOptionsError } from '../errors.js';
import { calendarBucketer, type CalendarBuckets } from './calendar-buckets.js';
import {
  keepsEverything,
  resolveRetentionOptions,
  resolveRetentionPolicy,
  type RetentionOptions,
  type RetentionPolicy,
} from './retention-policy.js';

/** What retention needs to know about one backup of one source. */
export interface RetentionCandidate {
  id: string;
  /** When the backup finished (for one in progress: when it started). */
  finishedAt: Date;
  state: 'complete' | 'in-progress';
}

/** Why a backup is kept; a backup can have several reasons. */
export type RetentionReason = 'last' | 'daily' | 'weekly' | 'monthly' | 'newest' | 'in-progress' | 'no-policy';

export interface RetentionSelection {
  /** Every backup that stays, with each rule that keeps it, in the order of the input. */
  keep: Map<string, RetentionReason[]>;
  /** Every backup to delete, oldest first. */
  remove: string[];
}

type BucketRule = { reason: 'daily' | 'weekly' | 'monthly'; count: number; bucket: keyof CalendarBuckets };

/**
 * Which backups of one source a policy keeps, with restic's `forget` semantics:
 *
 * - Only complete backups are counted and ever removed. A backup in progress is always kept
 *   (reason `in-progress`) and does not use up any rule's count.
 * - Complete backups are walked newest first (by `finishedAt`; equal times by id, descending).
 * - `keepLast: N` keeps the N newest.
 * - `keepDaily: N` keeps the newest backup of each of the N most recent calendar days that have
 *   at least one backup. Days without a backup are not counted, so after a week of outage
 *   `keepDaily: 7` still keeps seven backups (from older days), not zero.
 * - `keepWeekly: N` does the same per ISO 8601 week (Monday to Sunday; the week of 2021-01-03 is
 *   2020-W53); `keepMonthly: N` per calendar month.
 * - Days, weeks and months are those of `timeZone` (default UTC), DST changes included: a backup
 *   at 00:30 Berlin time on the 1st belongs to the 1st, though it is still the 31st in UTC.
 * - The rules are independent and a backup stays when any of them picks it; the newest complete
 *   backup is always kept (reason `newest`) whatever the policy says.
 * - A policy with every count 0 or absent keeps everything (reason `no-policy`): an unset
 *   retention never deletes.
 *
 * Pure: no clock, no I/O. Throws `BackupOptionsError` for an invalid policy or time zone, or
 * when two backups share an id.
 */
export function selectForRetention(
  backups: readonly RetentionCandidate[],
  policy: RetentionPolicy,
  options: RetentionOptions = {},
): RetentionSelection {
  const resolved = resolveRetentionPolicy(policy);
  const { timeZone } = resolveRetentionOptions(options);
  checkIds(backups);

  const reasons = new Map<string, RetentionReason[]>();
  const add = (id: string, reason: RetentionReason): void => {
    const list = reasons.get(id);
    if (list) list.push(reason);
    else reasons.set(id, [reason]);
  };

  const complete = backups
    .filter((b) => b.state === 'complete')
    .sort((a, b) => b.finishedAt.getTime() - a.finishedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));

  for (const backup of backups) if (backup.state === 'in-progress') add(backup.id, 'in-progress');

  if (keepsEverything(resolved)) {
    for (const backup of complete) add(backup.id, 'no-policy');
  } else {
    for (const backup of complete.slice(0, resolved.keepLast)) add(backup.id, 'last');
    const bucketsOf = calendarBucketer(timeZone);
    const buckets = new Map(complete.map((b) => [b.id, bucketsOf(b.finishedAt)]));
    const rules: BucketRule[] = [
      { reason: 'daily', count: resolved.keepDaily, bucket: 'day' },
      { reason: 'weekly', count: resolved.keepWeekly, bucket: 'week' },
      { reason: 'monthly', count: resolved.keepMonthly, bucket: 'month' },
    ];
    for (const rule of rules) {
      let kept = 0;
      let lastBucket: string | undefined;
      for (const backup of complete) {
        if (kept >= rule.count) break;
        const bucket = buckets.get(backup.id)![rule.bucket];
        // Newest first, so the first backup seen in a bucket is that bucket's newest.
        if (bucket === lastBucket) continue;
        lastBucket = bucket;
        add(backup.id, rule.reason);
        kept++;
      }
    }
    if (complete[0]) add(complete[0].id, 'newest');
  }

  const keep = new Map<string, RetentionReason[]>();
  for (const backup of backups) {
    const list = reasons.get(backup.id);
    if (list) keep.set(backup.id, list);
  }
  const remove = complete
    .filter((b) => !keep.has(b.id))
    .reverse()
    .map((b) => b.id);
  return { keep, remove };
}

function checkIds(backups: readonly RetentionCandidate[]): void {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const [index, backup] of backups.entries()) {
    if (seen.has(backup.id)) problems.push(`[${index}].id: "${backup.id.slice(0, 100)}" appears twice`);
    seen.add(backup.id);
    if (!(backup.finishedAt instanceof Date) || Number.isNaN(backup.finishedAt.getTime())) {
      problems.push(`[${index}].finishedAt: must be a valid Date`);
    }
    if (backup.state !== 'complete' && backup.state !== 'in-progress') {
      problems.push(`[${index}].state: must be "complete" or "in-progress"`);
    }
  }
  if (problems.length > 0) throw new BackupOptionsError('backups for retention', problems);
}
