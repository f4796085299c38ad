import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { CpuProfile } from './cpu-profile.js';
import type { ProfileKind, ProfilerEvent, ProfilerEventDetail } from './events.js';
import type { ProfilerLogger } from './logger.js';
import { formatProfileStem, metadataExtension, profileExtension, profileLabel } from './profile-file-name.js';
import { concurrentWorkNote, type ProfileMetadata } from './profile-metadata.js';
import { release, reserveRoom, unlinkIfPresent, type Reservation } from './profile-quota.js';

export interface CapturedProfile {
  profile: CpuProfile;
  kind: ProfileKind;
  name: string;
  method: string | undefined;
  status: string;
  startedAt: Date;
  durationMs: number;
  samplingIntervalUs: number;
}

export interface ProfileStoreOptions {
  directory: string;
  maxFiles: number;
  maxBytes: number;
  logger: ProfilerLogger;
  emit: (event: ProfilerEvent, detail: ProfilerEventDetail) => void;
}

/**
 * Writes profiles with their metadata, within the directory's quota: room is made before each
 * write (see profile-quota.ts), so the directory never holds more than `maxFiles` profiles or
 * `maxBytes` bytes, also when other processes write into it at the same time. Writes run one at
 * a time per process; a file another process deleted first is not an error.
 */
export class ProfileStore {
  readonly #options: ProfileStoreOptions;
  #queue: Promise<void> = Promise.resolve();

  constructor(options: ProfileStoreOptions) {
    this.#options = options;
  }

  /** Queues a write; the promise settles when it (and the evictions it needed) is done, and never rejects. */
  write(captured: CapturedProfile): Promise<void> {
    const next = this.#queue.then(() => this.#write(captured));
    this.#queue = next;
    return next;
  }

  /** Settles when every queued write is done. */
  idle(): Promise<void> {
    return this.#queue;
  }

  async #write(captured: CapturedProfile): Promise<void> {
    const { directory, logger, emit, maxFiles, maxBytes } = this.#options;
    const stem = formatProfileStem({
      startedAt: captured.startedAt,
      durationMs: captured.durationMs,
      kind: captured.kind,
      label: profileLabel(captured.kind, captured.name, captured.method),
      status: captured.status,
      pid: process.pid,
    });
    const profileFile = stem + profileExtension;
    const metadata: ProfileMetadata = {
      version: 1,
      profile: profileFile,
      kind: captured.kind,
      name: captured.name,
      ...(captured.method === undefined ? {} : { method: captured.method }),
      status: captured.status,
      startedAt: captured.startedAt.toISOString(),
      durationMs: Math.round(captured.durationMs * 1000) / 1000,
      pid: process.pid,
      samplingIntervalUs: captured.samplingIntervalUs,
      note: concurrentWorkNote,
    };
    const drop = (message: string, fields: object, level: 'warn' | 'debug' = 'warn'): void => {
      logger[level]({ ...fields, file: profileFile }, message);
      emit('dropped', { kind: captured.kind });
    };
    let profileText: string;
    let metadataText: string;
    try {
      profileText = JSON.stringify(captured.profile);
      metadataText = `${JSON.stringify(metadata, null, 2)}\n`;
    } catch (error) {
      return drop('could not write profile', { err: error, directory });
    }
    const size = Buffer.byteLength(profileText) + Buffer.byteLength(metadataText);
    if (size > maxBytes) {
      // Making room for it would only empty the directory, and it would still not fit.
      return drop('profile is larger than maxBytes; not written', { size, maxBytes });
    }
    try {
      await this.#ensureDirectory();
    } catch (error) {
      return drop('could not write profile', { err: error, directory });
    }
    const evicted = (victim: string): void => {
      emit('evicted', {});
      logger.debug({ file: victim + profileExtension }, 'profile evicted to keep the quota');
    };
    let room: Reservation | 'older' | 'crowded';
    try {
      room = await reserveRoom({ directory, maxFiles, maxBytes }, stem, size, evicted);
    } catch (error) {
      // Without room made, writing could overflow the directory.
      return drop('could not make room for the profile; not written', { err: error, directory });
    }
    if (typeof room === 'string')
      return drop('no room for the profile within the quota; not written', { size, reason: room }, 'debug');
    // Metadata first, then the profile, each through a temp name and a rename: whoever lists the
    // directory sees a profile only once it is whole and described.
    const metadataPath = join(directory, stem + metadataExtension);
    try {
      await writeAtomically(metadataPath, metadataText);
      await writeAtomically(join(directory, profileFile), profileText);
      emit('written', { kind: captured.kind });
      logger.debug({ file: profileFile, size }, 'profile written');
    } catch (error) {
      await unlinkIfPresent(metadataPath).catch(() => undefined);
      drop('could not write profile', { err: error, directory });
    } finally {
      await release(room).catch(() => undefined);
    }
  }

  async #ensureDirectory(): Promise<void> {
    // Every time, not once: an operator may delete the directory while the process runs. The
    // mode applies only to directories mkdir creates; an existing one keeps its own.
    await mkdir(this.#options.directory, { recursive: true, mode: 0o700 });
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(3).toString('hex')}`);
  try {
    await writeFile(temp, text, { mode: 0o600 });
    await rename(temp, path);
  } catch (error) {
    await unlinkIfPresent(temp);
    throw error;
  }
}
