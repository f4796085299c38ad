import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { DataDirError } from './errors.js';

/**
 * Creates the data directory (mode 0700: it holds the instance secret) when missing, and checks
 * that an existing one is a directory keepwatch can write to.
 */
export async function ensureDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new DataDirError(dir, 'exists but is not a directory', error);
    throw new DataDirError(dir, `cannot be created (${code ?? 'error'})`, error);
  }
  const info = await stat(dir).catch((error: unknown) => {
    throw new DataDirError(dir, 'cannot be read', error);
  });
  if (!info.isDirectory()) throw new DataDirError(dir, 'exists but is not a directory');
  try {
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new DataDirError(dir, 'is not writable by this user', error);
  }
}
