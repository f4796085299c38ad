import { isKeepwatchError } from '@keepwatch/errors';
import { parseBackupId } from './backup-id.js';
import { ByteMeter } from './byte-meter.js';
import { checkChecksum } from './checksum.js';
import { decompressStage, type PipelineStage } from './compression.js';
import type { Destination } from './destination.js';
import { decryptStage } from './encryption.js';
import {
  BackupChecksumError,
  BackupIdentityRequiredError,
  BackupIoError,
  BackupKindMismatchError,
  BackupTargetNotEmptyError,
} from './errors.js';
import { silentLogger, type BackupLogger } from './logger.js';
import type { BackupManifest } from './manifest.js';
import { throttleProgress, type ProgressListener } from './progress.js';
import type { RestoreTarget } from './restore-target.js';
import { rootCause, timed } from './root-cause.js';
import { runChain } from './stream-chain.js';

export interface RestoreBackupOptions {
  destination: Destination;
  /** A backup id, validated here. */
  id: string;
  target: RestoreTarget;
  /**
   * Replace what the target holds. Without it a target that is not empty is refused.
   * @defaultValue false
   */
  clean?: boolean;
  /** age identity file, for encrypted backups. @defaultValue undefined */
  identityFile?: string;
  /** @defaultValue 'zstd' */
  zstdPath?: string;
  /** @defaultValue 'age' */
  agePath?: string;
  /** `storedBytes` read so far and `rawBytes` fed to the restore tool. */
  onProgress?: ProgressListener;
  /** @defaultValue 250 */
  progressIntervalMs?: number;
  signal?: AbortSignal;
  /** @defaultValue silent */
  logger?: BackupLogger;
}

export interface RestoreReport {
  id: string;
  target: string;
  rawBytes: number;
  storedBytes: number;
  elapsedMs: number;
}

/**
 * Restores a backup: reads the manifest, checks the file's SHA-256 before it touches the target,
 * refuses a target that is not empty unless `clean`, then streams file → (age) → decompress →
 * restore tool.
 */
export async function restoreBackup(options: RestoreBackupOptions): Promise<RestoreReport> {
  const { destination, target, signal } = options;
  const logger = options.logger ?? silentLogger;
  const { id } = parseBackupId(options.id);
  const manifest = await destination.readManifest(id);
  await preflight(manifest, options);
  if (!options.clean && !(await target.isEmpty())) throw new BackupTargetNotEmptyError(target.label);

  const started = performance.now();
  logger.info({ id, target: target.label, clean: options.clean ?? false }, 'restore started');
  const input = await destination.openFile(manifest);
  const stored = new ByteMeter();
  const raw = new ByteMeter();
  const stages = restoreStages(manifest, options);
  const sink = await target.begin({ clean: options.clean ?? false });
  const progress = throttleProgress(options.onProgress, options.progressIntervalMs ?? 250, () => ({
    rawBytes: raw.bytes,
    storedBytes: stored.bytes,
    elapsedMs: Math.round(performance.now() - started),
  }));
  progress.start();
  const abortAll = (): void => {
    input.destroy();
    for (const stage of stages) stage.abort();
    sink.abort();
  };
  const flow = timed(runChain([input, stored, ...stages, raw, sink.stream], signal)).then((failure) => {
    if (failure) abortAll();
    return failure;
  });
  const failures = await Promise.all([flow, ...stages.map((s) => timed(s.exited)), timed(sink.finished)]);
  progress.stop(true);
  const cause = rootCause(failures);
  if (cause !== undefined) {
    logger.error({ id, err: cause }, 'restore failed');
    throw isKeepwatchError(cause) ? cause : new BackupIoError('restore into', target.label, cause);
  }
  const report = { id, target: target.label, rawBytes: raw.bytes, storedBytes: stored.bytes, elapsedMs: Math.round(performance.now() - started) };
  logger.info(report, 'restore finished');
  return report;
}

/** Everything that can be checked without touching the target, checksum last (it reads the file). */
export async function preflight(
  manifest: BackupManifest,
  options: Pick<RestoreBackupOptions, 'destination' | 'target' | 'identityFile' | 'signal'>,
): Promise<void> {
  if (manifest.kind !== options.target.kind) throw new BackupKindMismatchError(manifest.id, manifest.kind, options.target.kind);
  if (manifest.encryption && !options.identityFile) throw new BackupIdentityRequiredError(manifest.id);
  const checksum = await checkChecksum(options.destination, manifest, options.signal);
  if (!checksum.ok) throw new BackupChecksumError(manifest.id, checksum.expected, checksum.actual);
}

function restoreStages(manifest: BackupManifest, options: RestoreBackupOptions): PipelineStage[] {
  const stages: PipelineStage[] = [];
  if (manifest.encryption) stages.push(decryptStage(options.agePath ?? 'age', options.identityFile!));
  const decompress = decompressStage(manifest.compression, { zstdPath: options.zstdPath ?? 'zstd' });
  if (decompress) stages.push(decompress);
  return stages;
}
