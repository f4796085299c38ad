import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { forEachLimit } from './run-helpers.js';

/**
 * Makes a freshly written tree durable before it is renamed into place. One `syncfs(2)` through
 * coreutils' `sync -f` flushes the whole filesystem in a single call (Node has no syncfs): an
 * `fsync` per file would cost a journal commit per file on ext4, minutes for a first snapshot of
 * many small files. Where `sync -f` is missing or fails, every written file and directory gets
 * its own fsync instead.
 */
export async function syncTree(root: string, files: () => string[], dirs: () => string[]): Promise<void> {
  if (await syncFilesystem(root)) return;
  await forEachLimit(files(), 8, (path) => fsyncPath(path));
  await forEachLimit(dirs(), 8, (path) => fsyncPath(path));
}

/** Makes a rename or a new entry in `dir` durable. */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function syncFilesystem(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('sync', ['-f', path], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('close', (code) => resolve(code === 0));
  });
}
