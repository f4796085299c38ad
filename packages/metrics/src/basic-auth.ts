import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks an `Authorization: Basic …` header against one user and passphrase.
 *
 * Both sides are hashed to fixed-length digests before `timingSafeEqual`, so neither the
 * content nor the length of the secret leaks through timing. Anything malformed is simply
 * "not authorised": a bad header must get a 401, never an exception.
 */
export function createBasicAuthCheck(user: string, passphrase: string): (header: string | undefined) => boolean {
  const expected = digest(`${user}:${passphrase}`);
  return (header) => {
    const credentials = parseBasic(header);
    if (credentials === undefined) return false;
    return timingSafeEqual(digest(credentials), expected);
  };
}

/** `user:passphrase` from a Basic header, or undefined when the header is not one. */
function parseBasic(header: string | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  return decoded.includes(':') ? decoded : undefined;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export const wwwAuthenticate = 'Basic realm="metrics", charset="UTF-8"';
