import picomatch from 'picomatch';

/** Which entries of the source go into a snapshot. */
export interface PathFilter {
  /** True when the entry itself is taken (a file, a symlink, or a directory kept even if empty). */
  includes(path: string): boolean;
  /** True when nothing below the directory can be taken, so the walk does not enter it. */
  prunes(dirPath: string): boolean;
}

/**
 * Globs with picomatch, read the way `.gitignore` reads them: a pattern without a `/` matches a
 * name at any depth (`*.tmp`, `.secret`), one with a `/` matches from the source's root
 * (`media/**`, which also matches `media` itself). Dot files match like any other name. An entry
 * is taken when it matches an include and no exclude; a directory matched by an exclude is not
 * walked at all, which is how `profiles/**` and `cache/**` cost nothing however big they are.
 */
export function createPathFilter(include: readonly string[], exclude: readonly string[]): PathFilter {
  const included = matcher(include);
  const excluded = matcher(exclude);
  return {
    includes: (path) => included(path) && !excluded(path),
    prunes: (dirPath) => excluded(dirPath),
  };
}

/*
 * picomatch's own `basename` option is not used: it also tries patterns that have a slash
 * against the last name, so `cache/**` would match `media/cache`. Patterns are split instead.
 */
function matcher(patterns: readonly string[]): (path: string) => boolean {
  const options = { dot: true, posix: true } as const;
  const anywhere = patterns.filter((p) => !p.includes('/'));
  const rooted = patterns.filter((p) => p.includes('/')).map((p) => p.replace(/^\//, ''));
  const byName = anywhere.length > 0 ? picomatch(anywhere, options) : undefined;
  const byPath = rooted.length > 0 ? picomatch(rooted, options) : undefined;
  return (path) => (byPath?.(path) ?? false) || (byName?.(path.slice(path.lastIndexOf('/') + 1)) ?? false);
}
