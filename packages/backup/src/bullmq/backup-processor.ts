import { isKeepwatchError } from '@keepwatch/errors';
import {
  BackupJobName,
  type BackupJobPayload,
  JobPayloadError,
  backupJobPayloadSchema,
  parsePayload,
} from '@keepwatch/jobs';
import type { Job } from 'bullmq';
import type { Destination } from '../catalog/destination.js';
import { BackupError, BackupSourceUnknownError } from '../errors.js';
import { silentLogger, type BackupLogger } from '../logger.js';
import type { BackupManifest } from '../catalog/manifest.js';
import { resolveBackupOptions, type BackupOptions } from '../options.js';
import type { BackupProgress } from '../pipeline/progress.js';
import { runBackup } from '../dump/run-backup.js';
import type { SourceLock } from '../source-lock.js';
import type { BackupSource } from '../databases/source.js';

export interface BackupProcessorOptions<After extends object = object> {
  /** The configured sources by name (`database`, later `data`). */
  sources: Record<string, BackupSource>;
  destination: Destination;
  /** Shared by every worker, so one source is backed up by one worker at a time. */
  lock: SourceLock;
  /** How backups are stored. @defaultValue {} */
  backup?: BackupOptions;
  /**
   * How long a job waits for another backup of the same source to finish before it fails (and is
   * retried with backoff). @defaultValue 60000
   */
  lockWaitMs?: number;
  /** @defaultValue silent */
  logger?: BackupLogger;
  /**
   * Runs after each successful backup, still under the source's lock (the remote copy, retention:
   * nothing else may back up or prune the source meanwhile); what it returns is merged into the
   * job's result. A failure fails the job like a failed backup.
   */
  afterBackup?: (manifest: BackupManifest, signal: AbortSignal) => Promise<After>;
}

/**
 * The processor of the `backup` queue, for `new Worker(QueueName.backup, processor, …)`. It
 * reports progress (`{ rawBytes, storedBytes, elapsedMs }`) and returns the manifest. A failure
 * that another attempt cannot fix (wrong password, tool missing or too old, bad payload) fails
 * the job for good; the rest are left to the job's `attempts` and `backoff`. Either way the
 * job's failedReason starts with the error's `KW_` code.
 */
export function createBackupProcessor<After extends object = object>(options: BackupProcessorOptions<After>) {
  const backup = resolveBackupOptions(options.backup);
  const logger = options.logger ?? silentLogger;
  const lockWaitMs = options.lockWaitMs ?? 60_000;

  return async function processBackup(
    job: Job,
    _token?: string,
    signal?: AbortSignal,
  ): Promise<BackupManifest & After> {
    try {
      const payload: BackupJobPayload = parsePayload(BackupJobName, backupJobPayloadSchema, job.data);
      const source = Object.hasOwn(options.sources, payload.source) ? options.sources[payload.source] : undefined;
      if (!source) throw new BackupSourceUnknownError(payload.source, Object.keys(options.sources));
      const log = { jobId: job.id, source: payload.source, trigger: payload.trigger, requestedBy: payload.requestedBy };
      logger.info(log, 'backup job started');
      return await options.lock.run(
        source.name,
        async (lockSignal) => {
          const manifest = await runBackup({
            source,
            destination: options.destination,
            options: backup,
            signal: lockSignal,
            logger,
            onProgress: (progress: BackupProgress) => {
              job.updateProgress({ ...progress }).catch(() => {});
            },
          });
          return { ...manifest, ...(await options.afterBackup?.(manifest, lockSignal)) } as BackupManifest & After;
        },
        { waitMs: lockWaitMs, signal },
      );
    } catch (error) {
      throw await toBackupJobError(error);
    }
  };
}

/**
 * What a backup job should throw for `error`: BullMQ keeps only a message, so the code goes in
 * front, and a failure that another attempt cannot fix (`retryable: false`, a bad payload)
 * becomes an `UnrecoverableError`. For job handlers beside `createBackupProcessor`.
 */
export async function toBackupJobError(error: unknown): Promise<Error> {
  if (!isKeepwatchError(error)) return error instanceof Error ? error : new Error(String(error));
  const message = `${error.code}: ${error.message}`;
  const permanent = error instanceof BackupError ? !error.retryable : error.code === JobPayloadError.code;
  // bullmq is loaded only here: the worker has it loaded already, and a CLI that imports this
  // entry for `createSourceLock` (through @keepwatch/runtime) does not pay for it.
  const wrapped = permanent ? new (await import('bullmq')).UnrecoverableError(message) : new Error(message);
  if (!permanent) wrapped.name = error.name;
  return Object.assign(wrapped, { code: error.code, cause: error });
}
