import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupNotFoundError } from '../errors.js';
import { RemoteNotFoundError } from '../remote/errors.js';
import type { RemoteDestination } from '../remote/remote-destination.js';
import type { KindContext } from '../repository/backup-kind.js';
import { forEachLimit } from '../snapshot/run-helpers.js';

/** Remote reads at once: each is an SSH connection of its own. */
const CONCURRENCY = 4;

/**
 * Reads small remote files (manifests, snapshot summaries) through a private scratch directory
 * under `context.scratchRoot`, removed afterwards. Each result is the text, or the error reading
 * it failed with, so one unreadable copy does not hide the others.
 */
export async function readRemoteTexts(
  context: KindContext,
  remote: RemoteDestination,
  paths: readonly string[],
): Promise<Map<string, { text: string } | { error: unknown }>> {
  const out = new Map<string, { text: string } | { error: unknown }>();
  if (paths.length === 0) return out;
  await mkdir(context.scratchRoot, { recursive: true, mode: 0o700 });
  const scratch = await mkdtemp(join(context.scratchRoot, '.kw-remote-read-'));
  try {
    let n = 0;
    await forEachLimit(paths, CONCURRENCY, async (path) => {
      const local = join(scratch, String(n++));
      try {
        await remote.pull(path, local);
        out.set(path, { text: await readFile(local, 'utf8') });
      } catch (error) {
        out.set(path, { error });
      }
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return out;
}

/** `remote.pull`, with a missing path reported as the backup `id` not being on the remote. */
export async function pullBackupPart(
  remote: RemoteDestination,
  remotePath: string,
  localPath: string,
  id: string,
): Promise<void> {
  try {
    await remote.pull(remotePath, localPath);
  } catch (error) {
    if (error instanceof RemoteNotFoundError) throw new BackupNotFoundError(id, remote.label, error);
    throw error;
  }
}
