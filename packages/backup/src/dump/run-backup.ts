import { createBackupId } from '../catalog/backup-id.js';
import { ByteMeter } from '../pipeline/byte-meter.js';
import { compressStage, compressionExtension, type PipelineStage } from '../pipeline/compression.js';
import type { Destination, DestinationWriter } from '../catalog/destination.js';
import {
  directCompressionSupported,
  startDirectCompressor,
  type DirectCompressor,
} from '../pipeline/direct-compressor.js';
import { encryptStage } from '../pipeline/encryption.js';
import { BackupAbortedError, BackupIoError } from '../errors.js';
import { isKeepwatchError } from '@keepwatch/errors';
import { silentLogger, type BackupLogger } from '../logger.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type BackupManifest } from '../catalog/manifest.js';
import { resolveBackupOptions, type BackupOptions, type ResolvedBackupOptions } from '../options.js';
import { throttleProgress, type ProgressListener } from '../pipeline/progress.js';
import type { BackupSource, SourceDump } from '../databases/source.js';
import { abandon, runChain, type ChainCompanion } from '../pipeline/stream-chain.js';
import { keepwatchVersion } from '../version.js';

export interface RunBackupOptions {
  source: BackupSource;
  destination: Destination;
  /** How to store it; resolved (and validated) here unless already resolved. @defaultValue {} */
  options?: BackupOptions | ResolvedBackupOptions;
  /** Bytes so far, at most every `progressIntervalMs`, and once at the end. */
  onProgress?: ProgressListener;
  /** Aborting stops the tools and removes the temporary file. */
  signal?: AbortSignal;
  /** @defaultValue silent */
  logger?: BackupLogger;
}

/**
 * One backup: source → compression → (age) → SHA-256 → destination, streamed with back-pressure
 * end to end, so memory stays flat whatever the database's size. The file keeps a temporary name
 * until it is complete and synced; the manifest is written last. Leftovers of earlier runs of the
 * same source are removed first, so the caller must make sure no other backup of this source
 * runs at the same time (`SourceLock`, which `createBackupProcessor` uses).
 */
export async function runBackup(run: RunBackupOptions): Promise<BackupManifest> {
  const options = resolveBackupOptions(run.options);
  const { source, destination, signal } = run;
  const logger = run.logger ?? silentLogger;
  if (signal?.aborted) throw new BackupAbortedError(`backup of source "${source.name}"`, signal.reason);
  const wantsDirect = options.compression === 'zstd' && source.writesToPipe === true;
  const [, canGoDirect] = await Promise.all([
    destination.removeIncomplete(source.name),
    wantsDirect ? directCompressionSupported(options.zstdPath, options.env) : false,
  ]);

  const startedAt = new Date();
  const started = performance.now();
  const id = createBackupId(source.name, startedAt);
  const encrypted = options.encryptTo.length > 0;
  const fileName = `${id}.${source.extension}${compressionExtension[options.compression]}${encrypted ? '.age' : ''}`;
  logger.info({ id, source: source.name, from: source.label, to: destination.label }, 'backup started');

  // A dump tool that needs nothing from its own bytes writes straight into zstd (see
  // direct-compressor.ts); otherwise its output is piped through Node, counted on the way.
  const direct = canGoDirect ? startDirectCompressor(options) : undefined;
  const dump = await openSource(source, { signal, logger, output: direct?.input }, direct);
  let writer: DestinationWriter | undefined;
  // Every process after the dump tool, upstream first: zstd fed directly (if so), then the stages
  // Node pipes through.
  const chainStages: PipelineStage[] = [];
  const stages = (): ChainCompanion[] => (direct ? [direct, ...chainStages] : chainStages);
  try {
    writer = await destination.createWriter(id, fileName);
    const raw = new ByteMeter();
    const stored = new ByteMeter({ sha256: true });
    const compress = direct ? undefined : compressStage(options.compression, options);
    if (compress) chainStages.push(compress);
    if (encrypted) chainStages.push(encryptStage(options.agePath, options.encryptTo, options.env));
    const rawBytes = (): number => (direct ? (direct.inputBytes() ?? 0) : raw.bytes);
    const progress = throttleProgress(run.onProgress, options.progressIntervalMs, () => ({
      rawBytes: rawBytes(),
      storedBytes: stored.bytes,
      elapsedMs: Math.round(performance.now() - started),
    }));
    progress.start();
    const parts = direct
      ? [direct.readable, ...chainStages, stored, writer.stream]
      : [dump.stream!, raw, ...chainStages, stored, writer.stream];
    // The dump tool feeds the chain, so its failure is the first suspect; zstd fed directly is
    // beside it. Whatever fails tears everything down (runChain).
    await runChain(parts, {
      signal,
      source: { exited: dump.finished, abort: () => dump.abort() },
      companions: direct ? [direct] : [],
    });
    const metadata = await dump.finished;
    if (direct) checkDirectSizes(direct, encrypted ? undefined : stored.bytes);
    progress.stop(true);
    await writer.commit();

    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      formatVersion: MANIFEST_VERSION,
      id,
      source: source.name,
      kind: source.kind,
      file: fileName,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      rawBytes: rawBytes(),
      storedBytes: stored.bytes,
      checksum: { algorithm: 'sha256', value: stored.digest() },
      compression: options.compression,
      encryption: encrypted ? { method: 'age', recipients: [...options.encryptTo] } : null,
      database: metadata.database,
      versions: { ...metadata.versions, keepwatch: keepwatchVersion },
      tables: metadata.tables,
      rowCounts: metadata.rowCounts,
    };
    try {
      await destination.writeManifest(manifest);
    } catch (error) {
      // The file without its manifest is not a backup; do not leave it for someone to trust.
      await destination.remove(id).catch(() => {});
      throw error;
    }
    logger.info({ id, rawBytes: manifest.rawBytes, storedBytes: manifest.storedBytes }, 'backup finished');
    return manifest;
  } catch (error) {
    dump.abort();
    for (const stage of stages()) stage.abort();
    await writer?.abort().catch(() => {});
    logger.error({ id, err: error }, 'backup failed');
    if (signal?.aborted && !isKeepwatchError(error)) throw new BackupAbortedError(`backup ${id}`, error);
    throw isKeepwatchError(error) ? error : new BackupIoError('write backup to', destination.label, error);
  }
}

/** Opens the source (handing it zstd's stdin when direct); stops zstd when that fails. */
async function openSource(
  source: BackupSource,
  options: Parameters<BackupSource['open']>[0],
  direct: DirectCompressor | undefined,
): Promise<SourceDump> {
  try {
    const dump = await source.open(options);
    if (direct && dump.stream)
      throw new Error(`source "${source.name}" says it writes to a pipe but returned a stream`);
    return dump;
  } catch (error) {
    if (direct) await abandon({ streams: [direct.input], companions: [direct] });
    throw error;
  }
}

/** zstd's own account must match what reached us: anything else means bytes went missing. */
function checkDirectSizes(direct: DirectCompressor, received: number | undefined): void {
  const input = direct.inputBytes();
  const output = direct.outputBytes();
  if (output === undefined || input === undefined) {
    throw new BackupIoError('read the sizes zstd reports on', 'its stderr', new Error('no summary line'));
  }
  if (received !== undefined && received !== output) {
    throw new BackupIoError(
      'account for the output of',
      'zstd',
      new Error(`it reported ${output} bytes, ${received} arrived`),
    );
  }
}
