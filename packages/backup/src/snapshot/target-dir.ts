import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SnapshotTargetNotEmptyError } from './errors.js';

/**
 * A directory that is filled next to the target and swapped into place when complete, so a
 * failed restore or extraction leaves the target as it was, and `clean` removes the old contents
 * only once the new ones are all there.
 */
export interface StagedTarget {
  /** Write here. */
  readonly staging: string;
  /** Puts `staging` in place of the target. */
  commit(): Promise<void>;
  /** Removes `staging`; safe after a failure and twice. */
  abort(): Promise<void>;
}

export async function stageTarget(target: string, clean: boolean): Promise<StagedTarget> {
  const existing = await stat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing && (!existing.isDirectory() || ((await readdir(target)).length > 0 && !clean))) {
    throw new SnapshotTargetNotEmptyError(target);
  }
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const suffix = randomBytes(4).toString('hex');
  const staging = join(parent, `.${basename(target)}.restore-${suffix}`);
  await mkdir(staging, { mode: 0o700 });
  return {
    staging,
    async commit() {
      const current = await stat(target).catch(() => undefined);
      if (!current) {
        await rename(staging, target);
        return;
      }
      if ((await readdir(target)).length === 0) {
        await rmdir(target);
        await rename(staging, target);
        return;
      }
      const old = join(parent, `.${basename(target)}.old-${suffix}`);
      await rename(target, old);
      await rename(staging, target);
      await rm(old, { recursive: true, force: true });
    },
    async abort() {
      await rm(staging, { recursive: true, force: true });
    },
  };
}
