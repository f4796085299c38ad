import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A data directory for the snapshot benchmark: `.secret` (0600), `fileCount` files under
 * `media/` in 2 levels of folders (50 a folder), sizes from 20 bytes to 64 KB with two of 1 MB
 * (a few MB in all), several modes and mtimes, a symlink, and `profiles/` which a snapshot
 * leaves out by default (so rsync is told to leave it out too).
 */
export function makeBenchTree(root: string, fileCount: number): { bytes: number } {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, '.secret'), randomBytes(48).toString('hex'), { mode: 0o600 });
  let bytes = 96;
  const modes = [0o644, 0o600, 0o640, 0o755];
  for (let i = 0; i < fileCount; i++) {
    const dir = join(root, 'media', `d${String(Math.floor(i / 200)).padStart(3, '0')}`, `s${Math.floor(i / 50) % 4}`);
    if (i % 50 === 0) mkdirSync(dir, { recursive: true });
    const size =
      i === 10 || i === 5000 ? 1_048_576 : i % 97 === 0 ? 4096 + ((i * 131) % 60_000) : 20 + ((i * 37) % 600);
    const path = join(dir, `f${String(i).padStart(5, '0')}.bin`);
    writeFileSync(path, randomBytes(size));
    chmodSync(path, modes[i % modes.length]!);
    if (i % 3 === 0) utimesSync(path, 1_600_000_000 + i, 1_500_000_000 + i);
    bytes += size;
  }
  symlinkSync('d000/s0/f00000.bin', join(root, 'media/latest'));
  mkdirSync(join(root, 'profiles'));
  writeFileSync(join(root, 'profiles/cpu.cpuprofile'), '{}');
  return { bytes };
}
