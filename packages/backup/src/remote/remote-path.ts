import { RemotePathError } from './errors.js';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;

/**
 * Checks a path relative to the remote root. The character set is narrow on purpose: these
 * paths end up in a remote shell command (`mv`, `rm -rf`) and in rsync's remote spec, where a
 * space, quote, `..` or leading `-` could change what runs. Backup ids and snapshot names fit.
 */
export function checkRemotePath(path: string, allowRoot = false): string[] {
  if (path === '' && allowRoot) return [];
  const segments = typeof path === 'string' ? path.split('/') : [];
  if (segments.length === 0 || segments.length > 32 || !segments.every((s) => NAME.test(s)))
    throw new RemotePathError(String(path));
  return segments;
}

/** Single-quoted for a POSIX shell; only ever given paths that passed the checks above. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
