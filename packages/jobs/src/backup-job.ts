import { z } from 'zod';

/** The one job name on the `backup` queue: run one backup of one named source. */
export const BackupJobName = 'backup' as const;

/**
 * Source names double as directory names and as part of backup ids, so they are kept to a
 * portable, path-safe alphabet (the same rule `@keepwatch/backup` applies to ids).
 */
export const backupSourceNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be 1-63 of a-z, 0-9, "_" or "-", starting with a letter or digit');

export const backupJobPayloadSchema = z.strictObject({
  /** The configured source to back up, e.g. `database` (from `[database] url`). */
  source: backupSourceNameSchema,
  /** What asked for it: the scheduler, `keepwatch backup run`, or the admin API. */
  trigger: z.enum(['schedule', 'manual', 'api']),
  /** Who asked (an admin token's name, a CLI user), for the log only. */
  requestedBy: z.string().min(1).max(200).optional(),
});

export type BackupJobPayload = z.output<typeof backupJobPayloadSchema>;

/**
 * Defaults for producers: a failed backup is retried with exponential backoff when retrying can
 * help (the worker marks a wrong password or a too-old `pg_dump` as not retryable).
 */
export const backupJobDefaults = {
  attempts: 4,
  backoff: { type: 'exponential', delay: 30_000 },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 500 },
} as const;
