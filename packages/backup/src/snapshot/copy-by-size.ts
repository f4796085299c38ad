import { copyWithHash, copyWithHashSync, SMALL_FILE, type CopiedFile, type MetadataFor } from './copy-file.js';
import { forEachLimit, type TimeSlicer } from './run-helpers.js';

/** `copyWithHash` or `copyWithHashSync`, whichever suits the file's size, behind one signature. */
export type CopyWithHash = (
  sourcePath: string,
  destinationPath: string,
  metadataFor: MetadataFor,
) => Promise<CopiedFile>;

export interface CopyBySizeOptions<T> {
  /** The file's size in bytes, as known before it is read. */
  sizeOf(file: T): number;
  /** How many large files are copied at a time. */
  concurrency: number;
  /** Gives the event loop its turns between small files. */
  slicer: TimeSlicer;
  signal?: AbortSignal | undefined;
}

const copySmall: CopyWithHash = async (sourcePath, destinationPath, metadataFor) =>
  copyWithHashSync(sourcePath, destinationPath, metadataFor);

/**
 * Calls `copyOne` for every file: the small ones (up to `SMALL_FILE`) first, one after another
 * with the synchronous copy, since for them the async calls' thread-pool round trips cost more
 * than the copy; then the large ones `concurrency` at a time with the streaming copy, so their
 * reads and writes overlap. Waits for every started copy before it throws the first error.
 */
export async function copyBySize<T>(
  files: readonly T[],
  options: CopyBySizeOptions<T>,
  copyOne: (file: T, copy: CopyWithHash) => Promise<void>,
): Promise<void> {
  const large: T[] = [];
  for (const file of files) {
    if (options.sizeOf(file) > SMALL_FILE) {
      large.push(file);
      continue;
    }
    await copyOne(file, copySmall);
    await options.slicer.tick();
  }
  await forEachLimit(large, options.concurrency, (file) => copyOne(file, copyWithHash), options.signal);
}
