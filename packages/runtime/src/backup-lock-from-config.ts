import type { SourceLock } from '@keepwatch/backup';
import { createSourceLock } from '@keepwatch/backup/bullmq';
import type { KeepwatchConfig } from '@keepwatch/config';
import type { RedisClient } from './redis-client.js';

// Its own module, exported by the root entry only: `@keepwatch/backup/bullmq` brings
// @keepwatch/jobs and zod, which `./backup` (what `keepwatch backup list` loads) must not.

/**
 * How long a lock outlives a process that died holding it. Renewed every third of it, so a
 * worker that is merely busy keeps it; a killed one frees the source within this time.
 */
const LOCK_TTL_MS = 30_000;

/**
 * The per-source lock every worker and `keepwatch backup run` share, under `[redis] prefix`.
 * `waitMs` is `[backup] lock_wait`, so a caller that passes none waits as configured.
 */
export function backupLockFromConfig(config: Readonly<KeepwatchConfig>, redis: RedisClient): SourceLock {
  return createSourceLock({
    redis,
    prefix: config.redis.prefix,
    ttlMs: LOCK_TTL_MS,
    waitMs: config.backup.lock_wait,
  });
}
