import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SecretFile {
  path: string;
  /** Removes the file and its private directory; safe to call twice. */
  remove(): Promise<void>;
}

/**
 * Writes a credentials file (PGPASSFILE, MySQL defaults file) readable by this user only, in a
 * fresh 0700 directory, so a password reaches a tool without ever being on its command line.
 */
export async function writeSecretFile(name: string, content: string): Promise<SecretFile> {
  const dir = await mkdtemp(join(tmpdir(), 'keepwatch-backup-'));
  const path = join(dir, name);
  await writeFile(path, content, { mode: 0o600, flag: 'wx' });
  let removed = false;
  return {
    path,
    async remove() {
      if (removed) return;
      removed = true;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
