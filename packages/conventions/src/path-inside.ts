import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * `path` relative to `dir` when it is `dir` itself (`''`) or lies below it; `undefined` when it
 * lies outside. A name that merely starts with `..` (`..cache`) is inside: only a whole `..`
 * segment leaves.
 */
export function relativeInside(dir: string, path: string): string | undefined {
  const rel = relative(resolve(dir), resolve(path));
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel;
}
