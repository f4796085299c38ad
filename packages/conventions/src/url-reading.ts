/**
 * What reading a connection URL gives: the value, or one problem. A problem names the part that
 * is wrong, never its text: these URLs carry passwords. It reads as the rest of a sentence that
 * starts with the setting's name: `[database] url: expected a user name in the URL (…)`.
 */
export type UrlReading<T> = { readonly ok: true; readonly url: T } | { readonly ok: false; readonly problem: string };

export function refused(problem: string): { readonly ok: false; readonly problem: string } {
  return { ok: false, problem };
}

/**
 * `raw` as a URL of one of `schemes`, refused for what would make the drivers and tools that read
 * it disagree: node-postgres, mysql2 and ioredis decode the user and password with
 * decodeURIComponent (a stray "%" is a URIError there), node-postgres re-encodes a URL with a
 * space in it (encodeURI), which changes what some %-escapes mean to it and not to the backup
 * tools, and a "#" starts a fragment that some of them keep and some drop.
 */
export function readConnectionUrl(raw: string, schemes: readonly string[]): UrlReading<URL> {
  const expected = `expected a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refused(expected);
  }
  if (!schemes.includes(url.protocol.slice(0, -1))) return refused(expected);
  if (/\s/.test(raw)) return refused('expected a URL without spaces: write a space as %20');
  if (raw.includes('#')) return refused('expected a URL without "#": inside a password or name write it as %23');
  if (!decodes(url.username)) return strayPercent('user name');
  if (!decodes(url.password)) return strayPercent('password');
  if (url.hostname.includes('%'))
    return refused('expected a host name or address without %-escapes (a Unix socket path is not supported)');
  if (url.port === '0') return refused('expected a port from 1 to 65535');
  return { ok: true, url };
}

/** True when `text` is valid %-encoding: decodeURIComponent would not throw. */
export function decodes(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

export function strayPercent(part: string): { readonly ok: false; readonly problem: string } {
  return refused(`expected the ${part} to be %-encoded: it has a "%" that starts no %-escape; write "%" itself as %25`);
}

/** A query parameter's name when it looks like one; never a long or odd string (it could be a pasted secret). */
export function quoteParameterName(key: string): string {
  return /^[A-Za-z0-9_.-]{1,40}$/.test(key) ? `"${key}"` : 'a query parameter';
}
