import { randomBytes } from 'node:crypto';
import { StorageKeyError } from './errors.js';

// The same narrow names as the SSH remote's paths (`remote/remote-path.ts`): keys reach a remote
// shell (`mv`, `rm`) and rsync's remote spec, where a space, quote, `..` or leading `-` could
// change what runs; a leading `.` is kept for temporaries, so no key can name one.
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;
const NAME_START = /^([A-Za-z0-9_][A-Za-z0-9._-]{0,254})?$/;
const MAX_SEGMENTS = 32;
// Also today's `localDestination` temporaries (`.name.partial`), which a killed backup leaves the same way.
const TEMPORARY = /^\.[A-Za-z0-9_][A-Za-z0-9._-]*\.partial$/;

/** The key's names; throws `StorageKeyError` unless it is `/`-separated valid names. */
export function checkKey(key: string): string[] {
  if (typeof key !== 'string' || key === '') throw new StorageKeyError(String(key), 'it is empty');
  const segments = key.split('/');
  if (segments.length > MAX_SEGMENTS) throw new StorageKeyError(key, `it has more than ${MAX_SEGMENTS} names`);
  if (!segments.every((s) => NAME.test(s))) {
    throw new StorageKeyError(
      key,
      'use "/"-separated names of A-Z, a-z, 0-9, ".", "_" and "-", none empty or starting with "." or "-"',
    );
  }
  return segments;
}

/** Whether `key` is a valid key (for names found in a listing, which anything may have put there). */
export function isKey(key: string): boolean {
  try {
    checkKey(key);
    return true;
  } catch {
    return false;
  }
}

/** Byte order, as S3 lists keys. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Splits a listing prefix into the folder to look in (`a/b/`, whole names) and the start of the
 * names under it (`c` for `a/b/c`); `''` is everything.
 */
export function splitPrefix(prefix: string): { folder: string[]; start: string } {
  if (typeof prefix !== 'string') throw new StorageKeyError(String(prefix), 'a prefix must be a string');
  const segments = prefix.split('/');
  const start = segments.pop()!;
  if (segments.length >= MAX_SEGMENTS || !segments.every((s) => NAME.test(s)) || !NAME_START.test(start)) {
    throw new StorageKeyError(prefix, 'a prefix is a key, or the start of one');
  }
  return { folder: segments, start };
}

/**
 * A fresh temporary name next to `name` (`.name.<12 hex>.partial`): the leading dot hides it from
 * every listing, the random part lets two writers of one key not collide, and the `.partial` end
 * is what today's `localDestination` already treats as a leftover.
 */
export function temporaryName(name: string): string {
  return `.${name}.${randomBytes(6).toString('hex')}.partial`;
}

/** Whether a file name is a temporary of an unfinished write. */
export function isTemporaryName(name: string): boolean {
  return TEMPORARY.test(name);
}

/**
 * The name a temporary was written for (`.name.<12 hex>.partial` → `name`, and `.name.partial`,
 * `localDestination`'s, → `name`), so `cleanupIncompleteUploads` can scope leftovers by key prefix.
 */
export function temporaryTarget(name: string): string {
  return name.replace(/^\./, '').replace(/(\.[0-9a-f]{12})?\.partial$/, '');
}

/** Whether the leftover `name` in `folder` belongs to a key that starts with `prefix`. */
export function temporaryInPrefix(folder: string[], name: string, prefix: string): boolean {
  return [...folder, temporaryTarget(name)].join('/').startsWith(prefix);
}
