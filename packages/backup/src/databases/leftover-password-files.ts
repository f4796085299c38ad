import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** The folders earlier builds made for a tool's password (`mkdtemp('keepwatch-backup-')`). */
const FOLDER = /^keepwatch-backup-[A-Za-z0-9]{6}$/;
/** What they held: a PGPASSFILE or a MySQL `--defaults-extra-file`. */
const FILES = new Set(['pgpass', 'my.cnf']);

/**
 * Removes the password files that earlier keepwatch builds wrote to the temp folder for pg_dump,
 * pg_restore and the MySQL tools, and left there when the process was killed (`kill -9`, an OOM
 * kill) mid-dump. Nothing writes them any more (the tools get the password in their environment),
 * so this only cleans up after those builds; the worker calls it at start and `keepwatch backup
 * run` before it backs up. Only this user's folders holding nothing but such a file are touched.
 * Returns the folders removed.
 */
export async function removeLeftoverPasswordFiles(tempDir: string): Promise<string[]> {
  const uid = process.getuid?.();
  if (uid === undefined) return [];
  let names: string[];
  try {
    names = await readdir(tempDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names.filter((n) => FOLDER.test(n))) {
    const path = join(tempDir, name);
    try {
      const info = await lstat(path);
      if (!info.isDirectory() || info.uid !== uid) continue;
      if (!(await readdir(path)).every((file) => FILES.has(file))) continue;
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Gone meanwhile, or not ours to read: nothing to do.
    }
  }
  return removed;
}
