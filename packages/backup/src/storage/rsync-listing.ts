/** One line of `rsync --list-only`, hidden names included (the storage filters them itself). */
export interface ListedEntry {
  /** Relative to the listed folder, `/`-separated. */
  path: string;
  type: 'file' | 'dir' | 'other';
  size: number;
  modifiedAt: Date;
}

const LINE = /^([dl-])[rwxsStT-]{9}\s+([\d,.]+)\s+(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d) (.+)$/;

/**
 * Parses `rsync --list-only` output. rsync prints times in the local time zone of the rsync
 * process (this side), which the storage runs with `TZ=UTC`, so they are read as UTC.
 */
export function parseRsyncListing(text: string): ListedEntry[] {
  const entries: ListedEntry[] = [];
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    const [, kind, size, y, mo, d, h, mi, s, name] = match;
    if (name === '.') continue;
    entries.push({
      path: name!,
      type: kind === 'd' ? 'dir' : kind === '-' ? 'file' : 'other',
      size: Number(size!.replace(/[,.]/g, '')),
      modifiedAt: new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))),
    });
  }
  return entries;
}
