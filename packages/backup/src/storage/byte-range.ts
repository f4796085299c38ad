import { StorageRangeError } from './errors.js';
import type { ByteRange } from './storage.js';

/**
 * Checks `range` against an object of `size` bytes and returns the inclusive byte positions to
 * read (`end` < `start` for an empty read). Bytes the object does not have are an error, as in
 * restic's `Load`: a short read must never pass for the whole of what was asked.
 */
export function resolveRange(
  range: ByteRange | undefined,
  size: number,
  key: string,
  storage: string,
): { start: number; end: number; length: number } {
  if (range === undefined) return { start: 0, end: size - 1, length: size };
  const { offset, length } = range;
  const valid =
    Number.isSafeInteger(offset) &&
    offset >= 0 &&
    (length === undefined || (Number.isSafeInteger(length) && length >= 0)) &&
    offset + (length ?? 0) <= size;
  if (!valid) throw new StorageRangeError(key, storage, range, size);
  const wanted = length ?? size - offset;
  return { start: offset, end: offset + wanted - 1, length: wanted };
}
