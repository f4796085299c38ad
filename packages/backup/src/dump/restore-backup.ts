import { isKeepwatchError } from '@keepwatch/errors';
import { parseBackupId } from '../catalog/backup-id.js';
import { ByteMeter } from '../pipeline/byte-meter.js';
import { checkChecksum } from '../pipeline/checksum.js';
import { decompressStage, type PipelineStage } from '../pipeline/compression.js';
import type { Destination } from '../catalog/destination.js';
import { decryptStage } from '../pipeline/encryption.js';
import {
  BackupAbortedError,
  BackupChecksumError,
  BackupIdentityRequiredError,
  BackupIoError,
  BackupKindMismatchError,
  BackupTargetNotEmptyError,
} from '../errors.js';
import { silentLogger, type BackupLogger } from '../logger.js';
import type { BackupManifest } from '../catalog/manifest.js';
import { throttleProgress, type ProgressListener } from '../pipeline/progress.js';
import type { RestoreSink, RestoreTarget } from '../databases/restore-target.js';
import type { ToolEnvironmentOptions } from '../pipeline/tool-process.js';
import { abandon, runChain } from '../pipeline/stream-chain.js';

export interface RestoreBackupOptions extends ToolEnvironmentOptions {
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
  const stored = new ByteMeter();
  const raw = new ByteMeter();
  const input = await destination.openFile(manifest);
  // The target first: it is what refuses most often (credentials, a missing database), and no
  // decompressor should be running, waiting on a pipe, while it does.
  let sink: RestoreSink;
  try {
    sink = await target.begin({ clean: options.clean ?? false });
  } catch (error) {
    await abandon({ streams: [input] });
    throw failed(error, id, target, logger, signal);
  }
  const tool = { exited: sink.finished, abort: () => sink.abort() };
  const stages: PipelineStage[] = [];
  try {
    addRestoreStages(stages, manifest, options);
  } catch (error) {
    await abandon({ streams: [input], stages, companions: [tool] });
    throw failed(error, id, target, logger, signal);
  }
  const progress = throttleProgress(options.onProgress, options.progressIntervalMs ?? 250, () => ({
    rawBytes: raw.bytes,
    storedBytes: stored.bytes,
    elapsedMs: Math.round(performance.now() - started),
  }));
  progress.start();
  try {
    await runChain([input, stored, ...stages, raw, sink.stream], { signal, companions: [tool] });
  } catch (error) {
    throw failed(error, id, target, logger, signal);
  } finally {
    progress.stop(true);
  }
  const report = {
    id,
    target: target.label,
    rawBytes: raw.bytes,
    storedBytes: stored.bytes,
    elapsedMs: Math.round(performance.now() - started),
  };
  logger.info(report, 'restore finished');
  return report;
}

function failed(
  cause: unknown,
  id: string,
  target: RestoreTarget,
  logger: BackupLogger,
  signal: AbortSignal | undefined,
): unknown {
  logger.error({ id, err: cause }, 'restore failed');
  if (isKeepwatchError(cause)) return cause;
  if (signal?.aborted) return new BackupAbortedError(`restore of ${id} into ${target.label}`, cause);
  return new BackupIoError('restore into', target.label, cause);
}

/** Everything that can be checked without touching the target, checksum last (it reads the file). */
export async function preflight(
  manifest: BackupManifest,
  options: Pick<RestoreBackupOptions, 'destination' | 'target' | 'identityFile' | 'signal'>,
): Promise<void> {
  if (manifest.kind !== options.target.kind)
    throw new BackupKindMismatchError(manifest.id, manifest.kind, options.target.kind);
  if (manifest.encryption && !options.identityFile) throw new BackupIdentityRequiredError(manifest.id);
  const checksum = await checkChecksum(options.destination, manifest, options.signal);
  if (!checksum.ok) throw new BackupChecksumError(manifest.id, checksum.expected, checksum.actual);
}

/** Pushes each stage as it is spawned, so the caller can stop those that started if one throws. */
function addRestoreStages(stages: PipelineStage[], manifest: BackupManifest, options: RestoreBackupOptions): void {
  if (manifest.encryption) stages.push(decryptStage(options.agePath ?? 'age', options.identityFile!, options.env));
  const decompress = decompressStage(manifest.compression, { zstdPath: options.zstdPath ?? 'zstd', env: options.env });
  if (decompress) stages.push(decompress);
}
