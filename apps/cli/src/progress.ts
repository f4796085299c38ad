import type { BackupProgress, KindProgress } from '@keepwatch/backup';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** `1.5 MB`, decimal units as `ls -h --si` and most dashboards show them. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${UNITS[unit]}`;
}

export function formatRate(bytes: number, elapsedMs: number): string {
  return elapsedMs > 0 ? `${formatBytes(Math.round((bytes * 1000) / elapsedMs))}/s` : '-';
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** One progress report as a line: what went in, what was stored, how fast. */
export function formatProgress(label: string, progress: BackupProgress): string {
  return (
    `${label}: ${formatBytes(progress.rawBytes)} raw, ${formatBytes(progress.storedBytes)} stored, ` +
    `${formatRate(progress.rawBytes, progress.elapsedMs)}, ${formatDuration(progress.elapsedMs)}`
  );
}

/** A data snapshot's progress as a line: its phase, the entries and bytes so far. */
function formatSnapshotProgress(label: string, progress: Extract<KindProgress, { phase: string }>): string {
  const entries = progress.entriesTotal > 0 ? `${progress.entriesDone}/${progress.entriesTotal}` : progress.entriesDone;
  return (
    `${label}: ${progress.phase}, ${entries} entries, ` +
    `${formatBytes(progress.bytesCopied)} of ${formatBytes(progress.bytesTotal)} copied`
  );
}

export interface ProgressLine {
  /** Passed as the package's `onProgress`; undefined when the stream is not a terminal. */
  readonly listener: ((progress: KindProgress) => void) | undefined;
  /** Ends the line, so the next output starts on a fresh one. */
  done(): void;
}

/**
 * A single updating line on a terminal (carriage return, then erase to the end of the line).
 * When the stream is a pipe or a file nothing is written: a log full of half-lines helps nobody,
 * and scripts get the result from `--json`.
 */
export function progressLine(stream: NodeJS.WriteStream, label: string): ProgressLine {
  if (!stream.isTTY) return { listener: undefined, done: () => undefined };
  let written = false;
  return {
    listener: (progress) => {
      written = true;
      const line = 'phase' in progress ? formatSnapshotProgress(label, progress) : formatProgress(label, progress);
      stream.write(`\r${line}\x1b[K`);
    },
    done: () => {
      if (written) stream.write('\n');
      written = false;
    },
  };
}
