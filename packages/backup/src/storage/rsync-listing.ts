/** One line of `rsync --list-only`, hidden names included (callers filter what they hide). */
export interface ListedEntry {
  /** Relative to the listed folder, `/`-separated; a symlink's own name, not its target. */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  /** As rsync reports it (for a directory, the directory entry's size). */
  size: number;
  modifiedAt: Date;
}

// Permissions (any file type letter), size (with the locale's thousands separator, if any), time.
const LINE =
  /^([dl-][rwxsStT-]{9}|[a-z-][rwxsStT-]{9})\s+([\d,.]+)\s+(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d) (.+)$/;

/**
 * Parses `rsync --list-only` output, for the SSH storage and the rsync remote alike. rsync prints
 * times in the local time zone of the rsync process (this side), which both run with `TZ=UTC`,
 * so they are read as UTC.
 */
export function parseRsyncListing(text: string): ListedEntry[] {
  const entries: ListedEntry[] = [];
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    const [, perms, size, y, mo, d, h, mi, s, rest] = match;
    const letter = perms![0];
    const type = letter === 'd' ? 'dir' : letter === 'l' ? 'symlink' : letter === '-' ? 'file' : 'other';
    const path = type === 'symlink' ? rest!.split(' -> ')[0]! : rest!;
    if (path === '.') continue;
    entries.push({
      path,
      type,
      size: Number(size!.replace(/[,.]/g, '')),
      modifiedAt: new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))),
    });
  }
  return entries;
}
