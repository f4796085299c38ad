import { chown, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeLeftoverPasswordFiles } from '../src/index.js';
import { allFiles, tempDir } from './helpers/files.js';

describe('removeLeftoverPasswordFiles', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  afterEach(() => dir?.remove());

  it('removes the password folders earlier builds left, and nothing else', async () => {
    dir = await tempDir('kw-leftover');
    const folder = async (name: string, files: Record<string, string>): Promise<string> => {
      const path = join(dir.path, name);
      await mkdir(path, { mode: 0o700 });
      for (const [file, content] of Object.entries(files)) await writeFile(join(path, file), content, { mode: 0o600 });
      return path;
    };
    const pg = await folder('keepwatch-backup-Ab12cD', { pgpass: '*:*:*:app:secret\n' });
    const my = await folder('keepwatch-backup-xY34zw', { 'my.cnf': '[client]\npassword="secret"\n' });
    const empty = await folder('keepwatch-backup-000000', {});
    // Not what keepwatch wrote: another name, another file beside it, a symlink, another owner.
    await folder('keepwatch-backup-mine', { pgpass: 'x' });
    await folder('keepwatch-backup-Qq11Qq', { pgpass: 'x', 'notes.txt': 'someone else’s' });
    await folder('keepwatch-pipe-Zz99Zz', {});
    await symlink(join(dir.path, 'keepwatch-backup-mine'), join(dir.path, 'keepwatch-backup-L1nk00'));
    const foreign = await folder('keepwatch-backup-Nobody', { pgpass: 'x' });
    await chown(foreign, 65534, 65534);

    const removed = await removeLeftoverPasswordFiles(dir.path);

    expect(removed.sort()).toEqual([empty, pg, my].sort());
    expect((await readdir(dir.path)).sort()).toEqual([
      'keepwatch-backup-L1nk00',
      'keepwatch-backup-Nobody',
      'keepwatch-backup-Qq11Qq',
      'keepwatch-backup-mine',
      'keepwatch-pipe-Zz99Zz',
    ]);
    expect(await allFiles(dir.path)).toEqual([
      'keepwatch-backup-L1nk00/pgpass', // the symlink, followed by the listing
      'keepwatch-backup-Nobody/pgpass',
      'keepwatch-backup-Qq11Qq/notes.txt',
      'keepwatch-backup-Qq11Qq/pgpass',
      'keepwatch-backup-mine/pgpass',
    ]);
  });

  it('is a no-op for a folder that does not exist', async () => {
    dir = await tempDir('kw-leftover');
    expect(await removeLeftoverPasswordFiles(join(dir.path, 'missing'))).toEqual([]);
  });
});
