import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * True when `authorization` is `Bearer <expected>`. Both sides are hashed first so the
 * comparison takes the same time whatever the length or content of the guess.
 */
export function bearerMatches(authorization: string | undefined, expectedDigest: Buffer): boolean {
  if (typeof authorization !== 'string') return false;
  const match = /^bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) return false;
  return timingSafeEqual(digest(match[1]!), expectedDigest);
}

export function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
