import { parseS3Remote, REMOTE_PATTERN } from '@keepwatch/conventions';
import { fromText, reject } from './value-parsers.js';

/*
 * The values of `[backup] remote` and its endpoint. The value's form picks the kind —
 * `user@host:/path` is rsync over SSH, `s3://BUCKET/PREFIX` an S3-compatible bucket.
 */

/** The kind of remote a `[backup] remote` value names. */
export function remoteKind(remote: string | undefined): 'ssh' | 's3' | undefined {
  if (remote === undefined) return undefined;
  return remote.trim().startsWith('s3://') ? 's3' : 'ssh';
}

export const SSH_FORM =
  'user@host:/absolute/path, an IPv6 host in brackets, the path of A-Z, a-z, 0-9, ".", "_", "-" and "/" without ".."';

/** `user@host:/path` or `s3://BUCKET/PREFIX`. */
export const backupRemote = () =>
  fromText<string>((raw) => {
    const s3 = parseS3Remote(raw);
    if (s3 && 'problem' in s3) {
      return reject(
        s3.problem === 'bucket'
          ? 'expected s3://BUCKET/PREFIX with a bucket name of 2 to 63 letters, digits, ".", "_" and "-", starting with a letter or digit'
          : 'expected s3://BUCKET/PREFIX with a prefix of "/"-separated names of A-Z, a-z, 0-9, ".", "_" and "-", none empty or starting with "." or "-"',
      );
    }
    if (s3) return raw;
    return REMOTE_PATTERN.test(raw) ? raw : reject(`expected ${SSH_FORM}; or s3://BUCKET/PREFIX`);
  });

/**
 * The S3 API's URL: http(s) only, and no user or password in it, since the URL is shown and
 * logged (the key pair has keys of its own). A rejection never repeats the value: it may hold
 * exactly those credentials.
 */
export const s3Endpoint = () =>
  fromText<string>(
    (raw) => {
      const expected =
        'expected the http:// or https:// URL of the S3 API, such as https://s3.eu-central-003.backblazeb2.com';
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return reject(expected);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return reject(expected);
      if (url.username !== '' || url.password !== '')
        return reject(
          `${expected}, without a user or password in it: set remote_access_key_id and remote_secret_access_key`,
        );
      if (url.search !== '' || url.hash !== '') return reject(`${expected}, without ?query or #fragment`);
      return raw;
    },
    { secret: true },
  );
