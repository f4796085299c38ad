import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { CpuProfile } from './cpu-profile.js';
import type { ProfileKind, ProfilerEvent, ProfilerEventDetail } from './events.js';
import type { ProfilerLogger } from './logger.js';
import {
  formatProfileStem,
  metadataExtension,
  parseProfileFileName,
  profileExtension,
  profileLabel,
} from './profile-file-name.js';
import { concurrentWorkNote, type ProfileMetadata } from './profile-metadata.js';

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

/** A sidecar or temp file whose profile never appeared is a crash's leftover after this long. */
const leftoverAgeMs = 10 * 60_000;

/**
 * Writes profiles with their metadata and keeps the directory within its quota. Writes run one
 * at a time per process, each followed by the quota check, so two writes never race to evict.
 * The directory may be shared with other processes (server replicas, the worker): the quota is
 * computed from what is on disk, and a file another process deleted first is not an error.
 */
export class ProfileStore {
  readonly #options: ProfileStoreOptions;
  #queue: Promise<void> = Promise.resolve();

  constructor(options: ProfileStoreOptions) {
    this.#options = options;
  }

  /** Queues a write; the promise settles when it and its quota check are done, and never rejects. */
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
    const { directory, logger, emit, maxBytes } = this.#options;
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
    try {
      const profileText = JSON.stringify(captured.profile);
      const metadataText = `${JSON.stringify(metadata, null, 2)}\n`;
      const size = Buffer.byteLength(profileText) + Buffer.byteLength(metadataText);
      if (size > maxBytes) {
        // Writing it would only evict everything else and then itself.
        logger.warn({ file: profileFile, size, maxBytes }, 'profile is larger than maxBytes; not written');
        emit('dropped', { kind: captured.kind });
        return;
      }
      await this.#ensureDirectory();
      // Metadata first, then the profile, each through a temp name and a rename: whoever lists
      // the directory sees a profile only once it is whole and described.
      await writeAtomically(join(directory, stem + metadataExtension), metadataText);
      await writeAtomically(join(directory, profileFile), profileText);
      emit('written', { kind: captured.kind });
      logger.debug({ file: profileFile, size }, 'profile written');
    } catch (error) {
      logger.warn({ err: error, file: profileFile, directory }, 'could not write profile');
      emit('dropped', { kind: captured.kind });
      return;
    }
    try {
      await this.#enforceQuota();
    } catch (error) {
      logger.warn({ err: error, directory }, 'could not enforce the profile quota');
    }
  }

  async #ensureDirectory(): Promise<void> {
    // Every time, not once: an operator may delete the directory while the process runs. The
    // mode applies only to directories mkdir creates; an existing one keeps its own.
    await mkdir(this.#options.directory, { recursive: true, mode: 0o700 });
  }

  async #enforceQuota(): Promise<void> {
    const { directory, maxFiles, maxBytes, logger, emit } = this.#options;
    const names = await readdir(directory);
    const present = new Set(names);
    const profiles: { stem: string; time: number; bytes: number }[] = [];
    const leftovers: string[] = [];
    const now = Date.now();
    for (const name of names) {
      const fields = parseProfileFileName(name.startsWith('.') ? name.slice(1).replace(/\.tmp-[0-9a-f]+$/, '') : name);
      if (fields === undefined) continue;
      const old = now - fields.startedAt.getTime() > leftoverAgeMs;
      if (name.startsWith('.')) {
        if (old) leftovers.push(name);
      } else if (name.endsWith(profileExtension)) {
        const meta = fields.stem + metadataExtension;
        const bytes = (await sizeOf(join(directory, name))) + (present.has(meta) ? await sizeOf(join(directory, meta)) : 0);
        profiles.push({ stem: fields.stem, time: fields.startedAt.getTime(), bytes });
      } else if (!present.has(fields.stem + profileExtension) && old) {
        leftovers.push(name);
      }
    }
    for (const name of leftovers) await unlinkIfPresent(join(directory, name));

    // Oldest first by the start time in the name; the name breaks ties so order is stable.
    profiles.sort((a, b) => a.time - b.time || (a.stem < b.stem ? -1 : 1));
    let count = profiles.length;
    let bytes = profiles.reduce((sum, p) => sum + p.bytes, 0);
    for (const victim of profiles) {
      if (count <= maxFiles && bytes <= maxBytes) break;
      await unlinkIfPresent(join(directory, victim.stem + profileExtension));
      await unlinkIfPresent(join(directory, victim.stem + metadataExtension));
      count -= 1;
      bytes -= victim.bytes;
      emit('evicted', {});
      logger.debug({ file: victim.stem + profileExtension }, 'profile evicted to keep the quota');
    }
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

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
