/*
 * `[backup] remote` and the options of backup's rsync-over-SSH destination: config checks the
 * setting and backup its options against the same shapes, so a value the config accepts never
 * fails a remote copy at night.
 */

/** Never with a leading "-", which ssh would read as an option. */
const USER = '[A-Za-z_][A-Za-z0-9._-]{0,63}';
/** A host name; an IPv4 address (192.0.2.10) has this shape too and is written plainly, never in brackets. */
const HOST_NAME = '[A-Za-z0-9_][A-Za-z0-9._-]{0,252}';
/** An IPv6 address, bare: hex digits and at least two colons, dots for an IPv4 tail (::ffff:192.0.2.10). No zone (%eth0). */
const IPV6 = '[0-9A-Fa-f.]*(?::[0-9A-Fa-f.]*){2,}';
/**
 * An absolute path whose segments are A-Z, a-z, 0-9, ".", "_" and "-", none of them "..": it ends
 * up in a remote shell command and in rsync's remote spec.
 */
const PATH = '(?:\\/(?!\\.\\.(?![A-Za-z0-9._-]))[A-Za-z0-9._-]*)+';

/** The user the remote copy logs in as. */
export const REMOTE_USER_PATTERN = new RegExp(`^${USER}$`);

/**
 * The host of the remote copy given on its own (backup's `host` option): a name, an IPv4 address,
 * or an IPv6 address with or without its brackets. The brackets must pair: rsync's remote spec is
 * built by adding them only when they are missing.
 */
export const REMOTE_HOST_PATTERN = new RegExp(`^(?:${HOST_NAME}|${IPV6}|\\[${IPV6}\\])$`);

/** The directory on the remote that holds the copies. */
export const REMOTE_PATH_PATTERN = new RegExp(`^${PATH}$`);

/**
 * `[backup] remote`: user@host:/path, as rsync and scp write it. Here an IPv6 address must be in
 * brackets, or its colons could not be told from the one before the path.
 */
export const REMOTE_PATTERN = new RegExp(
  `^(?<user>${USER})@(?:(?<name>${HOST_NAME})|\\[(?<ipv6>${IPV6})\\]):(?<path>${PATH})$`,
);

/** `[backup] remote` taken apart, the host without its brackets; undefined when it is no such value. */
export function parseRemote(remote: string): { user: string; host: string; path: string } | undefined {
  const groups = REMOTE_PATTERN.exec(remote)?.groups;
  if (!groups) return undefined;
  return { user: groups.user!, host: (groups.name ?? groups.ipv6)!, path: groups.path! };
}
