import type { ProfileEntry } from './list-profiles.js';
import type { TopFunction, TopFunctionsReport } from './top-functions.js';

/** `keepwatch profiles top` for a person: a header line, then one aligned row per function. */
export function formatTopTable(report: TopFunctionsReport): string {
  const header =
    `${report.profiles} profile${report.profiles === 1 ? '' : 's'}, ${formatMs(report.busyMs)} busy (${formatMs(report.idleMs)} idle left out)` +
    report.unreadable.map((u) => `\nleft out ${u.file}: ${u.reason}`).join('');
  if (report.functions.length === 0) return `${header}\nno samples\n`;
  const rows = [
    ['self ms', 'self %', 'total ms', 'profiles', 'function', 'location'],
    ...report.functions.map((fn) => [
      fn.selfMs.toFixed(1),
      `${(fn.selfShare * 100).toFixed(1)}%`,
      fn.totalMs.toFixed(1),
      String(fn.profiles),
      fn.functionName,
      location(fn),
    ]),
  ];
  return `${header}\n\n${alignRows(rows, [0, 1, 2, 3])}`;
}

/** `keepwatch profiles list` for a person: newest first, one line per profile. */
export function formatProfileTable(entries: readonly ProfileEntry[]): string {
  if (entries.length === 0) return 'no profiles\n';
  const rows = [
    ['started', 'duration', 'kind', 'name', 'status', 'size', 'file'],
    ...entries.map((entry) => [
      entry.startedAt.toISOString(),
      formatMs(entry.durationMs),
      entry.kind,
      entry.method === undefined ? entry.name : `${entry.method} ${entry.name}`,
      entry.status,
      formatBytes(entry.sizeBytes),
      entry.file,
    ]),
  ];
  return alignRows(rows, [1, 5]);
}

function location(fn: TopFunction): string {
  if (fn.url === '') return '';
  const url = fn.url.startsWith('file://') ? fn.url.slice('file://'.length) : fn.url;
  return fn.line === undefined ? url : `${url}:${fn.line}${fn.column === undefined ? '' : `:${fn.column}`}`;
}

/** Columns of numbers (their indexes in `rightAligned`) align right; the rest align left. */
function alignRows(rows: string[][], rightAligned: readonly number[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (rightAligned.includes(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
