import type { BackupNotifier } from '@keepwatch/backup';
import { UnrecoverableError, type Job } from 'bullmq';

/** What a backup job returns, as far as a notification tells it. */
interface BackupResult {
  id: string;
  startedAt: string;
  finishedAt: string;
  storedBytes?: number;
  rawBytes?: number;
}

/**
 * Runs one attempt of a backup job, telling `[notify]` that it started, succeeded or failed. Every
 * failed attempt is told, with whether BullMQ will try again (`willRetry`), as every failed attempt
 * counts in `keepwatch_backup_failures_total`. The notifier sends in the background: nothing here
 * waits for a receiver.
 */
export async function withBackupNotifications<T extends BackupResult>(
  notifier: BackupNotifier,
  job: Job,
  source: string,
  run: () => Promise<T>,
): Promise<T> {
  const startedAt = new Date().toISOString();
  notifier.started({ source });
  try {
    const result = await run();
    notifier.succeeded({
      source,
      id: result.id,
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
      ...(result.storedBytes === undefined ? {} : { storedBytes: result.storedBytes }),
      ...(result.rawBytes === undefined ? {} : { rawBytes: result.rawBytes }),
    });
    return result;
  } catch (error) {
    const attempts = job.opts.attempts ?? 1;
    const attempt = job.attemptsMade + 1;
    notifier.failed({
      source,
      error,
      startedAt,
      finishedAt: new Date().toISOString(),
      attempt,
      attempts,
      willRetry: !(error instanceof UnrecoverableError) && attempt < attempts,
    });
    throw error;
  }
}
