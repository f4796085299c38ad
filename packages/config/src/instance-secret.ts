import { randomBytes } from 'node:crypto';
import { chmod, link, open, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { SecretFileError } from './errors.js';

export const SECRET_FILE = '.secret';

export interface InstanceSecret {
  secret: string;
  /** `config`: [data] secret; `file`: an existing .secret; `generated`: created by this call. */
  source: 'config' | 'file' | 'generated';
  /** Things a person should know, e.g. a .secret that was readable by others and was tightened. */
  warnings: string[];
}

/**
 * Returns the instance secret: the configured one, else the `.secret` file in the data
 * directory, else a new one generated there (384 random bits, mode 0600).
 *
 * An existing `.secret` that is empty or unreadable is an error, never silently replaced: a new
 * secret would sign out every user. Creation is atomic (write a temporary file, then hard-link it
 * into place, which fails if another process got there first), so a server and a worker that
 * start together agree on one secret.
 */
export async function loadOrCreateSecret(dataDir: string, configured?: string): Promise<InstanceSecret> {
  if (configured !== undefined) return { secret: configured, source: 'config', warnings: [] };
  const path = join(dataDir, SECRET_FILE);
  const existing = await readSecret(path);
  if (existing) return { ...existing, source: 'file' };

  const secret = randomBytes(48).toString('base64url');
  const temp = join(dataDir, `${SECRET_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${secret}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another process created it between our read and our link: use theirs.
    const theirs = await readSecret(path);
    if (theirs) return { ...theirs, source: 'file' };
    throw new SecretFileError('KW_SECRET_EMPTY', path);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return { secret, source: 'generated', warnings: [] };
}

async function readSecret(path: string): Promise<{ secret: string; warnings: string[] } | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SecretFileError('KW_SECRET_UNREADABLE', path, error);
  }
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    throw new SecretFileError('KW_SECRET_UNREADABLE', path, error);
  }
  const secret = content.trim();
  if (secret === '') throw new SecretFileError('KW_SECRET_EMPTY', path);
  const warnings: string[] = [];
  if ((info.mode & 0o077) !== 0) {
    await chmod(path, 0o600);
    warnings.push(`${path} was readable by others (mode ${(info.mode & 0o777).toString(8)}); its mode is now 600`);
  }
  return { secret, warnings };
}
