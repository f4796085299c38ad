import { createHash } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';

/**
 * A small data directory as keepwatch keeps one: `.secret` (0600), `media/` with a few folders
 * of files (one 0640, one executable), a symlink, and things the default selection leaves out
 * (`profiles/`, `cache/`, a `.tmp` file).
 */
export function makeDataDir(dir: string, files = 20): void {
  mkdirSync(join(dir, 'media', 'avatars'), { recursive: true });
  mkdirSync(join(dir, 'media', 'uploads'), { recursive: true });
  mkdirSync(join(dir, 'profiles'), { recursive: true });
  mkdirSync(join(dir, 'cache'), { recursive: true });
  writeFileSync(join(dir, '.secret'), 'x'.repeat(64), { mode: 0o600 });
  chmodSync(join(dir, '.secret'), 0o600);
  for (let i = 0; i < files; i++) {
    const folder = i % 2 === 0 ? 'avatars' : 'uploads';
    writeFileSync(join(dir, 'media', folder, `file-${i}.bin`), Buffer.alloc(100 + i * 37, i));
  }
  chmodSync(join(dir, 'media', 'avatars', 'file-0.bin'), 0o640);
  chmodSync(join(dir, 'media', 'uploads', 'file-1.bin'), 0o755);
  symlinkSync('avatars/file-0.bin', join(dir, 'media', 'current'));
  writeFileSync(join(dir, 'media', 'upload.tmp'), 'half an upload');
  writeFileSync(join(dir, 'profiles', 'p.cpuprofile'), '{}');
  writeFileSync(join(dir, 'cache', 'c'), 'cached');
}

/** Every entry under `dir` with its type, mode, and content hash or link target, by path. */
export function listTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      const rel = relative(dir, path);
      const info = lstatSync(path);
      const mode = (info.mode & 0o7777).toString(8);
      if (info.isSymbolicLink()) out[rel] = `link ${readlinkSync(path)}`;
      else if (info.isDirectory()) {
        out[rel] = `dir ${mode}`;
        walk(path);
      } else out[rel] = `file ${mode} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
    }
  };
  walk(dir);
  return out;
}

/** `listTree` of what the default selection keeps: `.secret` and `media/**` without `*.tmp`. */
export function selected(dir: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(listTree(dir)).filter(
      ([path]) => (path === '.secret' || path === 'media' || path.startsWith('media/')) && !path.endsWith('.tmp'),
    ),
  );
}
