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

/**
 * A bucket name every S3-compatible server takes: 2–63 letters, digits, ".", "_" and "-",
 * starting with a letter or digit. AWS is stricter (3–63, lower case, no "_"); 63 is where DNS
 * labels end, so a longer name could never be reached in virtual-host style.
 */
export const S3_BUCKET_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{1,62}$/;

/** One name of an S3 prefix: never empty, never starting with "." (temporaries) or "-". */
export const S3_PREFIX_SEGMENT_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;

/**
 * `[backup] remote = s3://BUCKET/PREFIX` taken apart, the prefix without leading or trailing "/"
 * (`s3://b` and `s3://b/` are the bucket's root); undefined when it is no such value. The bucket
 * and prefix must match `S3_BUCKET_PATTERN` and `S3_PREFIX_SEGMENT_PATTERN`; `problem` says
 * which part is wrong, for a value that starts with `s3://`.
 */
export function parseS3Remote(
  remote: string,
): { bucket: string; prefix: string } | { problem: 'bucket' | 'prefix' } | undefined {
  if (!remote.startsWith('s3://')) return undefined;
  const rest = remote.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  if (!S3_BUCKET_PATTERN.test(bucket)) return { problem: 'bucket' };
  if (prefix !== '' && !prefix.split('/').every((s) => S3_PREFIX_SEGMENT_PATTERN.test(s))) return { problem: 'prefix' };
  return { bucket, prefix };
}
