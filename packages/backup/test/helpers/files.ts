import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Every file under `dir` (relative paths), hidden ones included. */
export async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (sub: string): Promise<void> => {
    let entries: string[];
    try {
      entries = await readdir(join(dir, sub));
    } catch {
      return;
    }
    for (const name of entries) {
      const rel = sub ? `${sub}/${name}` : name;
      if ((await stat(join(dir, rel))).isDirectory()) await walk(rel);
      else out.push(rel);
    }
  };
  await walk('');
  return out.sort();
}

/** The command lines of every process on the machine, as `ps` shows them. */
export function allCommandLines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
    } catch {
      // The process exited while we looked.
    }
  }
  return lines;
}

/**
 * The environment (`KEY=value` entries) of the first process whose command line `match` accepts
 * and whose environment holds `entry` (tests running beside it start the same tools).
 */
export function environmentOf(match: (commandLine: string) => boolean, entry: string): string[] | undefined {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!match(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '))) continue;
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (env.includes(entry)) return env;
    } catch {
      // The process exited while we looked.
    }
  }
  return undefined;
}
