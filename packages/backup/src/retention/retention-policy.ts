import * as z from 'zod/mini';
import { BackupOptionsError } from '../errors.js';
import { english, zodProblems } from '../zod-problems.js';

/**
 * How many backups of one source to keep, restic/borg style (grandfather-father-son). Each rule
 * picks backups on its own and a backup stays when any rule picks it. Every count is a
 * non-negative integer; a policy whose counts are all 0 or absent keeps everything, so an empty
 * `[retention]` section can never delete a backup.
 */
export interface RetentionPolicy {
  /** The newest N complete backups. @defaultValue 0 */
  keepLast?: number;
  /** The newest backup of each of the N most recent days that have one. @defaultValue 0 */
  keepDaily?: number;
  /** The newest backup of each of the N most recent ISO weeks (Monday to Sunday) that have one. @defaultValue 0 */
  keepWeekly?: number;
  /** The newest backup of each of the N most recent calendar months that have one. @defaultValue 0 */
  keepMonthly?: number;
}

export interface RetentionOptions {
  /**
   * The IANA time zone whose calendar days, weeks and months the rules count in, so "daily"
   * means the operator's day rather than UTC's.
   * @defaultValue 'UTC'
   */
  timeZone?: string;
}

export type ResolvedRetentionPolicy = Readonly<Required<RetentionPolicy>>;

const count = z._default(
  z.number().check(z.int('must be a whole number'), z.minimum(0, 'must be 0 or more'), z.maximum(100_000)),
  0,
);

const policySchema = z.strictObject({
  keepLast: count,
  keepDaily: count,
  keepWeekly: count,
  keepMonthly: count,
});

const optionsSchema = z.strictObject({
  timeZone: z._default(
    z.string().check(z.refine(isTimeZone, 'must be an IANA time zone such as "UTC" or "Europe/Berlin"')),
    'UTC',
  ),
});

/** Merges defaults and validates once; every problem is listed in one error. */
export function resolveRetentionPolicy(policy: RetentionPolicy = {}): ResolvedRetentionPolicy {
  const result = policySchema.safeParse(policy, english);
  if (!result.success) throw new BackupOptionsError('retention policy', zodProblems(result.error, 'retention policy'));
  return Object.freeze(result.data);
}

export function resolveRetentionOptions(options: RetentionOptions = {}): Readonly<Required<RetentionOptions>> {
  const result = optionsSchema.safeParse(options, english);
  if (!result.success)
    throw new BackupOptionsError('retention options', zodProblems(result.error, 'retention options'));
  return Object.freeze(result.data);
}

/** True when nothing would be pruned because no rule asks for anything. */
export function keepsEverything(policy: ResolvedRetentionPolicy): boolean {
  return policy.keepLast + policy.keepDaily + policy.keepWeekly + policy.keepMonthly === 0;
}

function isTimeZone(zone: string): boolean {
  // The default needs no check: the first Intl.DateTimeFormat with a time zone loads ICU's zone
  // data, some 20 ms of `keepwatch backup list`'s start-up (docs/benchmarks.md, "CLI start-up").
  if (zone === 'UTC' || zone === 'Etc/UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
