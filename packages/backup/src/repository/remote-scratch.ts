import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

const SCRATCH = /^\.remote-(\d+)-(.*)-[A-Za-z0-9]{6}$/;
/** This machine, in a scratch folder's name: a destination on a shared mount is seen by other machines' processes too. */
const HOST = hostname()
  .replace(/[^A-Za-z0-9.]/g, '_')
  .slice(0, 64);

/**
 * A scratch folder `<parent>/.remote-<pid>-<host>-<random>/` for the callback, removed afterwards
 * whatever the callback does: a dot name, which no local listing, retention or leftover cleanup
 * reads. The pid and host in the name let a later call on this machine remove what a process
 * killed with `kill -9` left: a folder whose process is gone; one whose pid is alive (perhaps
 * reused), or of another machine, is left alone.
 */
export async function withRemoteScratch<T>(parent: string, use: (dir: string) => Promise<T>): Promise<T> {
  await mkdir(parent, { recursive: true, mode: 0o700 });
  for (const name of await readdir(parent)) {
    const match = SCRATCH.exec(name);
    if (match && match[2] === HOST && !isAlive(Number(match[1])))
      await rm(join(parent, name), { recursive: true, force: true });
  }
  const dir = await mkdtemp(join(parent, `.remote-${process.pid}-${HOST}-`));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
