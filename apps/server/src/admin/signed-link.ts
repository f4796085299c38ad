import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Download links signed with the instance secret: whoever holds the link may fetch that one
 * backup until it expires, without the admin token (a browser or curl can follow it).
 */
export function signDownload(secret: string, id: string, expiresAt: number): string {
  return createHmac('sha256', secret).update(`keepwatch-backup-download\n${id}\n${expiresAt}`).digest('base64url');
}

export type LinkCheck = 'ok' | 'expired' | 'invalid';

export function checkDownload(
  secret: string,
  id: string,
  expires: unknown,
  signature: unknown,
  now = Date.now(),
): LinkCheck {
  if (typeof expires !== 'string' || typeof signature !== 'string' || !/^\d{1,15}$/.test(expires)) return 'invalid';
  const expected = Buffer.from(signDownload(secret, id, Number(expires)));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  return Number(expires) < now ? 'expired' : 'ok';
}
