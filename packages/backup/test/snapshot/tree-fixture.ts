import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** What a user would compare after a restore: type, content, mode, mtime (µs) of every entry. */
export interface ListedEntry {
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  mtimeUs: number;
  sha256?: string;
  size?: number;
  target?: string;
}

/** Every entry under `root` (the root itself as ''), read from scratch. */
export function listTree(root: string): Map<string, ListedEntry> {
  const out = new Map<string, ListedEntry>();
  const visit = (path: string): void => {
    const full = path === '' ? root : join(root, path);
    const stat = lstatSync(full, { bigint: true });
    const base = { mode: Number(stat.mode & 0o7777n), mtimeUs: Number(stat.mtimeNs / 1000n) };
    if (stat.isDirectory()) {
      out.set(path, { type: 'dir', ...base });
      for (const name of readdirSync(full)) visit(path === '' ? name : `${path}/${name}`);
    } else if (stat.isFile()) {
      const data = readFileSync(full);
      out.set(path, {
        type: 'file',
        ...base,
        size: data.length,
        sha256: createHash('sha256').update(data).digest('hex'),
      });
    } else if (stat.isSymbolicLink()) {
      out.set(path, { type: 'symlink', mode: 0, mtimeUs: base.mtimeUs, target: readlinkSync(full) });
    } else {
      out.set(path, { type: 'other', ...base });
    }
  };
  visit('');
  return out;
}

/**
 * Compares two listings; mtimes may differ by 1 µs (Node sets times from a double). Returns the
 * differences, so a failing test names the paths.
 */
export function treeDifferences(expected: Map<string, ListedEntry>, actual: Map<string, ListedEntry>): string[] {
  const problems: string[] = [];
  for (const [path, want] of expected) {
    const got = actual.get(path);
    if (!got) {
      problems.push(`${path}: missing`);
      continue;
    }
    const { mtimeUs: wantTime, ...wantRest } = want;
    const { mtimeUs: gotTime, ...gotRest } = got;
    if (JSON.stringify(wantRest) !== JSON.stringify(gotRest))
      problems.push(`${path}: ${JSON.stringify(gotRest)} != ${JSON.stringify(wantRest)}`);
    if (Math.abs(wantTime - gotTime) > 1) problems.push(`${path}: mtime ${gotTime} != ${wantTime}`);
  }
  for (const path of actual.keys()) if (!expected.has(path)) problems.push(`${path}: not expected`);
  return problems;
}

/** The entries a default snapshot takes: `.secret` and `media/**` without `*.tmp`, sockets or FIFOs. */
export function defaultSelection(listing: Map<string, ListedEntry>): Map<string, ListedEntry> {
  const out = new Map<string, ListedEntry>();
  for (const [path, entry] of listing) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const taken = path === '' || path === '.secret' || path === 'media' || path.startsWith('media/');
    if (!taken || name.endsWith('.tmp') || entry.type === 'other') continue;
    out.set(path, entry);
  }
  return out;
}

const MODES = [0o644, 0o600, 0o640, 0o755, 0o444];

/**
 * A data directory like keepwatch's: `.secret` (0600), `media/` with `fileCount` files in nested
 * folders (sizes from a few bytes to 1.5 MB, several modes, old and new mtimes), symlinks (one
 * dangling), an empty folder, a folder 0750, plus what a snapshot leaves out by default:
 * `profiles/`, `cache/`, `*.tmp` and a FIFO.
 */
export function makeDataDir(root: string, fileCount: number): { files: string[] } {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, '.secret'), randomBytes(48).toString('hex'), { mode: 0o600 });
  chmodSync(join(root, '.secret'), 0o600);
  const files: string[] = [];
  const perDir = 50;
  for (let i = 0; i < fileCount; i++) {
    const dir = `media/d${String(Math.floor(i / perDir / 4)).padStart(3, '0')}/s${Math.floor(i / perDir) % 4}`;
    if (i % perDir === 0) mkdirSync(join(root, dir), { recursive: true });
    const size =
      i === 7 || i === 4321 ? 1_500_000 + i : i % 97 === 0 ? 4096 + ((i * 131) % 60_000) : 20 + ((i * 37) % 600);
    const path = `${dir}/f${String(i).padStart(5, '0')}.bin`;
    writeFileSync(join(root, path), randomBytes(size));
    chmodSync(join(root, path), MODES[i % MODES.length]!);
    if (i % 3 === 0) utimesSync(join(root, path), 1_600_000_000 + i, 1_500_000_000 + i * 7.25);
    files.push(path);
  }
  mkdirSync(join(root, 'media/empty'));
  mkdirSync(join(root, 'media/private'), { mode: 0o750 });
  chmodSync(join(root, 'media/private'), 0o750);
  writeFileSync(join(root, 'media/private/note.txt'), 'only for the group\n');
  symlinkSync('d000/s0/f00000.bin', join(root, 'media/latest'));
  symlinkSync('../nowhere', join(root, 'media/dangling'));
  writeFileSync(join(root, 'media/upload.tmp'), 'half an upload');
  mkdirSync(join(root, 'profiles/2026'), { recursive: true });
  writeFileSync(join(root, 'profiles/2026/cpu.cpuprofile'), '{}');
  mkdirSync(join(root, 'cache'));
  writeFileSync(join(root, 'cache/thumb.jpg'), randomBytes(1000));
  execFileSync('mkfifo', [join(root, 'media/pipe')]);
  return { files };
}
