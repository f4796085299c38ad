import { readdirSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';

export interface DirectoryUsage {
  /** `.cpuprofile` files. */
  profiles: number;
  /** Every file's size: profiles, metadata, temp files. */
  bytes: number;
}

/**
 * What the directory holds now. Synchronous on purpose: called from a profiler event, nothing
 * of this process runs in between, so it sees the directory exactly as the write left it.
 */
export function usageOf(directory: string): DirectoryUsage {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: 0, bytes: 0 };
    throw error;
  }
  let bytes = 0;
  for (const name of names) {
    try {
      bytes += statSync(join(directory, name)).size;
    } catch {
      // Evicted or renamed since the listing.
    }
  }
  return { profiles: names.filter((name) => name.endsWith('.cpuprofile')).length, bytes };
}

/** Reads the directory's usage at every change fs.watch reports; `peak()` is the most seen of each. */
export function watchUsage(directory: string): { peak: () => DirectoryUsage; checks: () => number; close: () => void } {
  const peak: DirectoryUsage = { profiles: 0, bytes: 0 };
  let checks = 0;
  const watcher = watch(directory, () => {
    const usage = usageOf(directory);
    checks += 1;
    peak.profiles = Math.max(peak.profiles, usage.profiles);
    peak.bytes = Math.max(peak.bytes, usage.bytes);
  });
  return { peak: () => ({ ...peak }), checks: () => checks, close: () => watcher.close() };
}
