import { open, readdir, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ProfileFileFields,
  metadataExtension,
  parseProfileFileName,
  profileExtension,
} from './profile-file-name.js';

/**
 * The quota of a profile directory, kept before each write rather than after it, so the
 * directory never holds more than `maxFiles` profiles or `maxBytes` bytes, not even for the
 * moment between a write and the evictions it calls for (the old way showed 6 files and 62 kB
 * for 5 files and 40 KB).
 *
 * Several processes may write into one directory (server replicas, the worker), so a write is
 * announced first: an empty file `.<stem>.cpuprofile.reserved-<bytes>` is created, then the
 * directory listed, and the oldest profiles deleted until what is there, the writes announced
 * by others and this one all fit. Of two writers, the one that lists later sees the other's
 * reservation (or its finished profile) and makes room for both; neither writes before it has
 * made its room. No lock, so a writer killed mid-way blocks nobody: its reservation only holds
 * its room until it counts as a leftover.
 */

export interface QuotaLimits {
  directory: string;
  maxFiles: number;
  maxBytes: number;
}

/** A profile about to be written: its stem and its size, profile and metadata together. */
export interface Reservation {
  readonly stem: string;
  readonly bytes: number;
  readonly path: string;
}

/** Tries of a write that finds its room taken by writes others announced. */
const crowdedAttempts = 5;
/** About how long such writes last (a few ms each), with room to spare. */
const crowdedBackoffMs = 20;

/** A reservation, temp file or metadata file whose profile never appeared is a crash's leftover after this long. */
export const leftoverAgeMs = 10 * 60_000;

const hiddenFile = /^\.(.+)\.(?:tmp-[0-9a-f]+|reserved-(\d+))$/;

/**
 * Announces a write of `bytes` and makes room for it; resolves the reservation, to release once
 * the profile is written (or its write failed), or why there is no room (see `RoomOutcome`).
 */
export async function reserveRoom(
  limits: QuotaLimits,
  stem: string,
  bytes: number,
  evicted: (stem: string) => void,
): Promise<Reservation | 'older' | 'crowded'> {
  for (let attempt = 1; ; attempt++) {
    const reservation = await reserve(limits.directory, stem, bytes);
    let outcome: RoomOutcome;
    try {
      outcome = await makeRoom(limits, reservation, evicted);
    } catch (error) {
      await release(reservation).catch(() => undefined);
      throw error;
    }
    if (outcome === 'room') return reservation;
    await release(reservation);
    if (outcome === 'older' || attempt === crowdedAttempts) return outcome;
    // Writers that all see each other's reservations would all give up at once; each backing off
    // for a random while lets one of them go first.
    await sleep(crowdedBackoffMs * (0.5 + Math.random()));
  }
}

/** Announces a write of `bytes` with stem `stem`; the caller releases it once the write is done or abandoned. */
export async function reserve(directory: string, stem: string, bytes: number): Promise<Reservation> {
  const path = join(directory, `.${stem}${profileExtension}.reserved-${bytes}`);
  // 'wx': the name is the announcement; never take over someone else's.
  await (await open(path, 'wx', 0o600)).close();
  return { stem, bytes, path };
}

export async function release(reservation: Reservation): Promise<void> {
  await unlinkIfPresent(reservation.path);
}

interface Kept {
  stem: string;
  time: number;
  bytes: number;
  mine: boolean;
}

/**
 * What `makeRoom` found: `room` made; or no room, and no profile deleted, because the profile is
 * older than every profile that would have to stay (`older`), or because writes that others
 * announced take the room it would have (`crowded`: worth another try once they are done).
 */
export type RoomOutcome = 'room' | 'older' | 'crowded';

/**
 * Deletes the oldest profiles (by the start time in their names) until `reservation` fits along
 * with what is on disk and what others reserved, calling `evicted` for each.
 */
export async function makeRoom(
  limits: QuotaLimits,
  reservation: Reservation,
  evicted: (stem: string) => void,
): Promise<RoomOutcome> {
  const { directory, maxFiles, maxBytes } = limits;
  const names = await readdir(directory);
  const present = new Set(names);
  const now = Date.now();
  const leftovers: string[] = [];
  // Writes in progress, by stem: their temp and metadata files are theirs, not leftovers.
  const writing = new Set<string>();
  let othersCount = 0;
  let othersBytes = 0;
  const files: { name: string; fields: ProfileFileFields & { stem: string }; hidden: boolean }[] = [];
  for (const name of names) {
    const hidden = hiddenFile.exec(name);
    const fields = parseProfileFileName(hidden ? hidden[1]! : name);
    if (fields === undefined) continue;
    if (hidden?.[2] === undefined) {
      files.push({ name, fields, hidden: hidden !== null });
      continue;
    }
    // By its own age, not the capture's: a capture may run for up to an hour before its write.
    if (now - (await mtimeOf(join(directory, name))) > leftoverAgeMs) {
      leftovers.push(name);
      continue;
    }
    writing.add(fields.stem);
    // Its profile, once written, is counted as a profile; this write is counted by the caller.
    if (name === basename(reservation.path) || present.has(fields.stem + profileExtension)) continue;
    othersCount += 1;
    othersBytes += Number(hidden[2]);
  }
  const kept: Kept[] = [];
  for (const { name, fields, hidden } of files) {
    const old = now - fields.startedAt.getTime() > leftoverAgeMs && !writing.has(fields.stem);
    if (hidden) {
      if (old) leftovers.push(name);
    } else if (name.endsWith(profileExtension)) {
      const meta = fields.stem + metadataExtension;
      const bytes =
        (await sizeOf(join(directory, name))) + (present.has(meta) ? await sizeOf(join(directory, meta)) : 0);
      kept.push({ stem: fields.stem, time: fields.startedAt.getTime(), bytes, mine: false });
    } else if (!present.has(fields.stem + profileExtension) && old) {
      leftovers.push(name);
    }
  }
  for (const name of leftovers) await unlinkIfPresent(join(directory, name));

  const mine = parseProfileFileName(reservation.stem + profileExtension)!;
  kept.push({ stem: reservation.stem, time: mine.startedAt.getTime(), bytes: reservation.bytes, mine: true });
  // Oldest first; the name breaks ties so the order is the same in every process.
  kept.sort((a, b) => a.time - b.time || (a.stem < b.stem ? -1 : 1));
  let count = kept.length + othersCount;
  let bytes = kept.reduce((sum, p) => sum + p.bytes, othersBytes);
  const victims: Kept[] = [];
  for (const candidate of kept) {
    if (count <= maxFiles && bytes <= maxBytes) break;
    if (candidate.mine) return count - othersCount <= maxFiles && bytes - othersBytes <= maxBytes ? 'crowded' : 'older';
    victims.push(candidate);
    count -= 1;
    bytes -= candidate.bytes;
  }
  for (const victim of victims) {
    // Another writer may have planned the same eviction: only the one that deletes it counts it.
    const deleted = await unlinkIfPresent(join(directory, victim.stem + profileExtension));
    await unlinkIfPresent(join(directory, victim.stem + metadataExtension));
    if (deleted) evicted(victim.stem);
  }
  return 'room';
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function mtimeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return Date.now();
  }
}

/** Resolves false when there was nothing to delete. */
export async function unlinkIfPresent(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return false;
  }
}
